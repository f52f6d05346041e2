"""Commissions, rules, assignment rule and analytics endpoints: permissions, shapes, errors."""
from decimal import Decimal

import pytest

from django_leads import services
from django_leads.models import AgentRole, Commission, LeadStatus
from django_wallet import selectors as wallet_selectors
from django_wallet import services as wallet

from .. import stores
from ..conftest import grant
from .test_leads_api import client_for


@pytest.fixture
def sold(make_agent, make_lead):
    """Two agents with one accrued commission each."""
    a, b = make_agent(), make_agent()
    services.commission_rule_set(kind="flat", amount=Decimal("100.00"), role=AgentRole.SALES_AGENT)
    for agent in (a, b):
        lead = make_lead(agent=agent, status=LeadStatus.NEGOTIATING)
        services.lead_win(lead=lead, agreed_price=Decimal("5000.00"), payment="offline")
    return a, b


@pytest.mark.django_db
def test_commission_list_visibility(sold, make_user):
    a, b = sold
    own = client_for(a).get("/api/leads/commissions/").json()["results"]
    assert [c["agent_id"] for c in own] == [a.pk]
    accountant = grant(make_user(), "leads.view_commission")
    assert len(client_for(accountant).get("/api/leads/commissions/?status=accrued").json()["results"]) == 2
    assert client_for(accountant).get("/api/leads/commissions/?status=paid").json()["results"] == []
    assert client_for(accountant).get("/api/leads/commissions/?status=bogus").status_code == 400


@pytest.mark.django_db
def test_payout_endpoint(sold, make_user):
    a, _ = sold
    commission = Commission.objects.get(agent=a)
    url = f"/api/leads/commissions/{commission.pk}/payout/"
    assert client_for(a).post(url).status_code == 403  # agents can't pay themselves
    payer = grant(make_user(), "leads.pay_commission")
    wallet.deposit(account=stores.business_account(), amount=Decimal("1000.00"))
    keyless = client_for(payer).post(url)
    assert keyless.status_code == 400 and keyless.json()["code"] == "idempotency_key_required"
    first = client_for(payer).post(url, HTTP_IDEMPOTENCY_KEY="payout-1")
    second = client_for(payer).post(url, HTTP_IDEMPOTENCY_KEY="payout-1")
    assert first.status_code == second.status_code == 200 and first.json() == second.json()
    assert first.json()["status"] == "paid"
    assert first.json()["wallet_transaction_id"] == second.json()["wallet_transaction_id"]
    assert wallet_selectors.balance(wallet.account_for(a)) == Decimal("100.00")
    assert client_for(payer).post("/api/leads/commissions/999999/payout/", HTTP_IDEMPOTENCY_KEY="p").status_code == 404


@pytest.mark.django_db
def test_payout_with_an_empty_business_account_is_409(sold, make_user, settings):
    settings.LEADS_BUSINESS_ACCOUNT = "tests.api.test_money_api.empty_account"
    payer = grant(make_user(), "leads.pay_commission")
    commission = Commission.objects.first()
    response = client_for(payer).post(f"/api/leads/commissions/{commission.pk}/payout/", HTTP_IDEMPOTENCY_KEY="p")
    assert response.status_code == 409 and response.json()["code"] == "insufficient_funds"
    commission.refresh_from_db()
    assert commission.status == "accrued"


def empty_account():
    """A business account with no money and no overdraft (the LEADS_BUSINESS_ACCOUNT hook)."""
    from django_wallet.models import Account

    return Account.objects.filter(name="empty-business").first() or wallet.open_account(name="empty-business")


@pytest.mark.django_db
def test_commission_rules_endpoint(make_user, make_agent):
    agent = make_agent()
    url = "/api/leads/commission-rules/"
    assert client_for(agent).post(url, {"kind": "flat", "amount": "10.00", "role": "broker"},
                                  format="json").status_code == 403
    manager = grant(make_user(), "leads.manage_commissionrule")
    api = client_for(manager)
    created = api.post(url, {"kind": "percent", "percent": "2.5000", "agent": agent.pk}, format="json")
    assert created.status_code == 201 and created.json()["percent"] == "2.5000"
    bad = api.post(url, {"kind": "percent", "percent": "150", "role": "broker"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_commission_rule"
    assert [r["agent_id"] for r in api.get(url).json()] == [agent.pk]


@pytest.mark.django_db
def test_assignment_rule_endpoint(make_user):
    url = "/api/leads/assignment-rule/"
    assert client_for(make_user()).get(url).status_code == 403
    api = client_for(grant(make_user(), "leads.assign_lead"))
    assert api.get(url).json()["strategy"] == "round_robin"
    assert api.put(url, {"strategy": "least_open"}, format="json").json()["strategy"] == "least_open"
    assert api.put(url, {"strategy": "random"}, format="json").status_code == 400


@pytest.mark.django_db
def test_analytics_endpoint(sold, make_user, django_assert_max_num_queries):
    url = "/api/leads/analytics/"
    assert client_for(sold[0]).get(url).status_code == 403
    api = client_for(grant(make_user(), "leads.view_analytics"))
    with django_assert_max_num_queries(10):
        body = api.get(url, {"bucket": "week"}).json()
    assert body["summary"]["total"] == 2 and body["summary"]["won"] == 2
    assert body["summary"]["conversion_rate"] == "1.0000"
    assert {row["agent_id"]: row["revenue"] for row in body["agents"]} == {a.pk: "5000.00" for a in sold}
    assert {row["agent_id"]: row["commission"] for row in body["agents"]} == {a.pk: "100.00" for a in sold}
    assert sum(r["count"] for r in body["over_time"]["by_source"]) == 2
    bad = api.get(url, {"start": "2026-12-01", "end": "2026-01-01"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_date_range"
    assert api.get(url, {"start": "yesterday"}).status_code == 400


@pytest.mark.django_db
def test_agent_list_with_open_counts(make_agent, make_user, make_lead, django_assert_max_num_queries):
    services.assignment_rule_update(strategy="manual")
    a, b = make_agent(username="ann"), make_agent(username="ben", role=AgentRole.BROKER)
    make_lead(agent=a)
    make_lead(agent=a)
    make_lead(agent=a, status=LeadStatus.LOST)
    retired = make_agent()
    services.agent_deactivate(user=retired)
    assert client_for(a).get("/api/leads/agents/").status_code == 403
    api = client_for(grant(make_user(), "leads.assign_lead"))
    with django_assert_max_num_queries(4):
        rows = api.get("/api/leads/agents/").json()
    assert rows == [{"user_id": a.pk, "username": "ann", "role": "sales_agent", "open_leads": 2},
                    {"user_id": b.pk, "username": "ben", "role": "broker", "open_leads": 0}]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_identical_payouts_pay_once(sold, make_user):
    """A client retrying on a timeout: the same payout twice at once. Without a key both are refused and
    nothing is paid; with one key the commission is paid once and both answers are the paid commission."""
    from forecourt_core.racing import at_once

    a, _ = sold
    commission = Commission.objects.get(agent=a)
    payer = grant(make_user(), "leads.pay_commission")
    wallet.deposit(account=stores.business_account(), amount=Decimal("1000.00"))
    url = f"/api/leads/commissions/{commission.pk}/payout/"

    keyless = at_once(lambda: client_for(payer).post(url))
    assert [(r.status_code, r.json()["code"]) for r in keyless] == [(400, "idempotency_key_required")] * 2
    assert wallet_selectors.balance(wallet.account_for(a)) == 0
    keyed = at_once(lambda: client_for(payer).post(url, HTTP_IDEMPOTENCY_KEY="retry-1"))
    assert [r.status_code for r in keyed] == [200, 200] and keyed[0].json() == keyed[1].json()
    assert keyed[0].json()["status"] == "paid"
    assert wallet_selectors.balance(wallet.account_for(a)) == Decimal("100.00")
