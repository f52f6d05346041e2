"""The lead API: permission matrix, status updates, assignment, timeline, bounded queries."""
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from django_leads import services
from django_leads.models import Lead, LeadStatus

from ..conftest import grant

AGENT_PERMS = ("leads.view_lead", "leads.add_lead", "leads.change_lead")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def team(make_agent, make_user, make_lead):
    services.assignment_rule_update(strategy="manual")
    a = grant(make_agent(username="agent_a"), *AGENT_PERMS)
    b = grant(make_agent(username="agent_b"), *AGENT_PERMS)
    manager = grant(make_user(username="manager"), *AGENT_PERMS, "leads.view_all_leads", "leads.assign_lead",
                    "leads.reopen_lead")
    outsider = make_user(username="buyer")
    lead_a, lead_b = make_lead(agent=a), make_lead(agent=b)
    return {"a": a, "b": b, "manager": manager, "outsider": outsider, "lead_a": lead_a, "lead_b": lead_b}


@pytest.mark.django_db
def test_agent_sees_only_own_leads(team):
    api = client_for(team["a"])
    listed = api.get("/api/leads/").json()
    assert [row["id"] for row in listed["results"]] == [team["lead_a"].pk]
    assert api.get(f"/api/leads/{team['lead_a'].pk}/").status_code == 200
    for path in ("", "timeline/"):
        response = api.get(f"/api/leads/{team['lead_b'].pk}/{path}")
        assert response.status_code == 404
    assert api.patch(f"/api/leads/{team['lead_b'].pk}/", {"notes": "x"}, format="json").status_code == 404
    assert api.patch(f"/api/leads/{team['lead_b'].pk}/update_status/", {"status": "contacted"},
                     format="json").status_code == 404
    assert Lead.objects.get(pk=team["lead_b"].pk).status == LeadStatus.NEW


@pytest.mark.django_db
def test_manager_sees_all_and_outsider_sees_nothing(team):
    ids = {row["id"] for row in client_for(team["manager"]).get("/api/leads/").json()["results"]}
    assert ids == {team["lead_a"].pk, team["lead_b"].pk}
    outsider = client_for(team["outsider"])
    assert outsider.get("/api/leads/").json()["results"] == []
    assert outsider.get(f"/api/leads/{team['lead_a'].pk}/").status_code == 404
    assert APIClient().get("/api/leads/").status_code in (401, 403)


@pytest.mark.django_db
def test_update_status_endpoint(team):
    api, lead = client_for(team["a"]), team["lead_a"]
    url = f"/api/leads/{lead.pk}/update_status/"
    response = api.patch(url, {"status": "contacted"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "contacted" and response.json()["first_contact_at"]
    assert response.json()["allowed_transitions"] == ["qualified", "lost"]
    refused = api.patch(url, {"status": "won", "agreed_price": "100.00", "payment": "offline"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_transition"
    bad = api.patch(url, {"status": "flying"}, format="json")
    assert bad.status_code == 400 and "status" in bad.json()["fields"]
    no_reason = api.patch(url, {"status": "lost"}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "lost_reason_required"
    # lost -> contacted needs leads.reopen_lead: the agent lacks it, the manager has it.
    assert api.patch(url, {"status": "lost", "lost_reason": "no budget"}, format="json").status_code == 200
    assert api.patch(url, {"status": "contacted"}, format="json").status_code == 403
    assert client_for(team["manager"]).patch(url, {"status": "contacted"}, format="json").status_code == 200


@pytest.mark.django_db
def test_win_through_the_endpoint_records_a_sale(team):
    api, lead = client_for(team["a"]), team["lead_a"]
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.NEGOTIATING)
    url = f"/api/leads/{lead.pk}/update_status/"
    assert api.patch(url, {"status": "won"}, format="json").status_code == 400  # needs price + payment
    response = api.patch(url, {"status": "won", "agreed_price": "15000.00", "payment": "offline"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "won" and body["sale"]
    sales = client_for(team["a"]).get("/api/leads/sales/").json()["results"]
    assert [(s["id"], s["agreed_price"]) for s in sales] == [(body["sale"], "15000.00")]
    assert client_for(team["b"]).get("/api/leads/sales/").json()["results"] == []


@pytest.mark.django_db
def test_create_and_assign_need_permissions(team, make_car):
    car = make_car()
    payload = {"car": car.pk, "source": "phone", "contact_name": "Zed", "contact_phone": "+14155550100"}
    assert client_for(team["outsider"]).post("/api/leads/", payload, format="json").status_code == 403
    created = client_for(team["a"]).post("/api/leads/", payload, format="json")
    assert created.status_code == 201 and created.json()["contact_phone"] == "+14155550100"
    # Agents can't pick the assignee; managers can.
    with_agent = {**payload, "agent": team["b"].pk}
    assert client_for(team["a"]).post("/api/leads/", with_agent, format="json").status_code == 403
    assert client_for(team["manager"]).post("/api/leads/", with_agent, format="json").json()["agent"] == team["b"].pk
    lead_id = created.json()["id"]
    # Not their lead: to agent a it is not found, for assign as for a read.
    assert client_for(team["a"]).get(f"/api/leads/{lead_id}/").status_code == 404
    assert client_for(team["a"]).post(f"/api/leads/{lead_id}/assign/", {"agent": team["a"].pk},
                                      format="json").status_code == 404
    moved = client_for(team["manager"]).post(f"/api/leads/{lead_id}/assign/", {"agent": team["a"].pk}, format="json")
    assert moved.status_code == 200 and moved.json()["agent"] == team["a"].pk
    not_agent = client_for(team["manager"]).post(f"/api/leads/{lead_id}/assign/", {"agent": team["outsider"].pk},
                                                 format="json")
    assert not_agent.status_code == 400 and not_agent.json()["code"] == "not_an_agent"


@pytest.mark.django_db
@pytest.mark.parametrize(("payload", "field"), [
    ({"car": 999999, "contact_name": "x"}, "car"),
    ({"car": "abc", "contact_name": "x"}, "car"),
    ({"contact_name": "x"}, "car"),
    ({"source": "pigeon", "contact_name": "x"}, "source"),
    ({"contact_email": "nope", "contact_name": "x"}, "contact_email"),
])
def test_create_validation_is_400_with_fields(team, make_car, payload, field):
    payload = {"car": make_car().pk, **payload} if field != "car" else payload
    response = client_for(team["manager"]).post("/api/leads/", payload, format="json")
    assert response.status_code == 400 and field in response.json()["fields"]


@pytest.mark.django_db
def test_bad_phone_and_missing_contact_are_400_with_code(team, make_car):
    api = client_for(team["manager"])
    bad_phone = api.post("/api/leads/", {"car": make_car().pk, "contact_phone": "123"}, format="json")
    assert bad_phone.status_code == 400 and bad_phone.json()["code"] == "invalid_phone"
    nobody = api.post("/api/leads/", {"car": make_car().pk}, format="json")
    assert nobody.status_code == 400 and nobody.json()["code"] == "missing_contact"


@pytest.mark.django_db
def test_timeline_endpoint(team):
    api, lead = client_for(team["a"]), team["lead_a"]
    api.patch(f"/api/leads/{lead.pk}/", {"notes": "called twice"}, format="json")
    api.patch(f"/api/leads/{lead.pk}/update_status/", {"status": "contacted"}, format="json")
    timeline = api.get(f"/api/leads/{lead.pk}/timeline/").json()
    assert [e["type"] for e in timeline] == ["created", "changed", "changed"]
    assert [e["status"] for e in timeline] == ["new", "new", "contacted"]
    assert [e["by"] for e in timeline[1:]] == [team["a"].pk, team["a"].pk]
    assert timeline[1]["changes"] == [{"field": "notes", "old": "", "new": "called twice"}]


@pytest.mark.django_db
def test_buyer_contact_endpoint_merges(make_user, make_car):
    buyer, car = make_user(), make_car()
    api = client_for(buyer)
    first = api.post("/api/leads/contact/", {"car": car.pk, "message": "hi"}, format="json")
    second = api.post("/api/leads/contact/", {"car": car.pk, "message": "hello?"}, format="json")
    assert (first.status_code, first.json()["created"]) == (201, True)
    assert (second.status_code, second.json()) == (200, {"id": first.json()["id"], "created": False})
    unlisted = make_car(is_for_sale=False)
    assert api.post("/api/leads/contact/", {"car": unlisted.pk}, format="json").status_code == 400


@pytest.mark.django_db
def test_list_query_count_is_bounded(team, make_lead, django_assert_max_num_queries):
    for _ in range(15):
        make_lead(agent=team["a"], status=LeadStatus.NEGOTIATING)
    for lead in Lead.objects.filter(agent=team["a"])[:5]:
        services.lead_win(lead=lead, agreed_price=Decimal("10.00"), payment="offline")
    api = client_for(team["manager"])
    with django_assert_max_num_queries(6):
        response = api.get("/api/leads/?page_size=50")
    assert response.json()["count"] == 17
    assert sum(1 for row in response.json()["results"] if row["sale"]) == 5
    with django_assert_max_num_queries(6):
        assert len(api.get("/api/leads/sales/").json()["results"]) == 5


@pytest.mark.django_db
def test_list_filters(team):
    api = client_for(team["manager"])
    assert [r["id"] for r in api.get(f"/api/leads/?agent={team['b'].pk}").json()["results"]] == [team["lead_b"].pk]
    assert api.get("/api/leads/?status=won").json()["count"] == 0
    assert api.get("/api/leads/?status=new&status=contacted").json()["count"] == 2
    bad = api.get("/api/leads/?status=bogus&created_from=yesterday")
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"status", "created_from"}


@pytest.mark.django_db
def test_seeing_all_is_not_editing_all(team, make_user):
    viewer = grant(make_user(), "leads.view_all_leads")
    api = client_for(viewer)
    assert api.get(f"/api/leads/{team['lead_a'].pk}/").status_code == 200
    assert api.patch(f"/api/leads/{team['lead_a'].pk}/", {"notes": "x"}, format="json").status_code == 403
    assert api.patch(f"/api/leads/{team['lead_a'].pk}/update_status/", {"status": "contacted"},
                     format="json").status_code == 403


@pytest.mark.django_db
def test_timeline_query_count_is_bounded(team, django_assert_max_num_queries):
    api, lead = client_for(team["a"]), team["lead_a"]
    for i in range(10):
        api.patch(f"/api/leads/{lead.pk}/", {"notes": f"note {i}"}, format="json")
    with django_assert_max_num_queries(5):
        assert len(api.get(f"/api/leads/{lead.pk}/timeline/").json()) == 11


@pytest.mark.django_db
def test_platform_win_through_the_endpoint(team, make_user, make_car, make_lead):
    from django_wallet import selectors as wallet_selectors
    from django_wallet import services as wallet

    buyer = make_user()
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("30000.00"))
    lead = make_lead(car=make_car(price="12000.00"), buyer=buyer, agent=team["a"], status=LeadStatus.NEGOTIATING)
    url = f"/api/leads/{lead.pk}/update_status/"
    keyless = client_for(team["a"]).patch(url, {"status": "won", "payment": "platform"}, format="json")
    assert keyless.status_code == 400 and keyless.json()["code"] == "idempotency_key_required"
    assert wallet_selectors.balance(wallet.account_for(buyer)) == Decimal("30000.00")
    mismatch = client_for(team["a"]).patch(url, {"status": "won", "payment": "platform", "agreed_price": "1.00"},
                                           format="json", HTTP_IDEMPOTENCY_KEY="win-0")
    assert mismatch.status_code == 409 and mismatch.json()["code"] == "price_mismatch"
    response = client_for(team["a"]).patch(url, {"status": "won", "payment": "platform"}, format="json",
                                           HTTP_IDEMPOTENCY_KEY="win-1")
    assert response.status_code == 200 and response.json()["status"] == "won"
    assert wallet_selectors.balance(wallet.account_for(buyer)) == Decimal("18000.00")


@pytest.mark.django_db(transaction=True)
def test_a_platform_win_sent_twice_at_once_with_one_key_buys_once(team, make_user, make_car, make_lead):
    """A client retrying on a timeout: the same keyed win twice at once buys the car once and both answers are
    the first one; the same win with another key is a 409."""
    from django_wallet import selectors as wallet_selectors
    from django_wallet import services as wallet
    from forecourt_core.racing import at_once

    buyer = make_user()
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("30000.00"))
    lead = make_lead(car=make_car(price="12000.00"), buyer=buyer, agent=team["a"], status=LeadStatus.NEGOTIATING)
    url, body = f"/api/leads/{lead.pk}/update_status/", {"status": "won", "payment": "platform"}

    both = at_once(lambda: client_for(team["a"]).patch(url, body, format="json", HTTP_IDEMPOTENCY_KEY="win-1"))
    assert [r.status_code for r in both] == [200, 200] and both[0].json() == both[1].json()
    assert both[0].json()["status"] == "won"
    assert wallet_selectors.balance(wallet.account_for(buyer)) == Decimal("18000.00")
    other = client_for(team["a"]).patch(url, body, format="json", HTTP_IDEMPOTENCY_KEY="win-2")
    assert other.status_code == 409
    assert wallet_selectors.balance(wallet.account_for(buyer)) == Decimal("18000.00")
