"""Commission rules, accrual on the sale, and a payout that pays once even when raced."""
import threading
from decimal import Decimal

import pytest
from django.db import connection

from django_leads import services
from django_leads.errors import InvalidAmount, InvalidCommissionRule
from django_leads.models import AgentRole, Commission, CommissionRule, LeadStatus
from django_wallet import selectors as wallet_selectors
from django_wallet import services as wallet
from django_wallet.models import Entry, Transaction
from django_wallet.verification import verify_ledger

from .. import stores


def _win(make_lead, agent, price="20000.00"):
    lead = make_lead(status=LeadStatus.NEGOTIATING, agent=agent)
    return services.lead_win(lead=lead, by=agent, agreed_price=Decimal(price), payment="offline")


@pytest.mark.django_db
def test_percent_rule_by_role_and_agent_override(make_agent, make_lead):
    agent, broker, star = make_agent(), make_agent(role=AgentRole.BROKER), make_agent()
    services.commission_rule_set(kind="percent", percent=Decimal("2.5"), role=AgentRole.SALES_AGENT)
    services.commission_rule_set(kind="flat", amount=Decimal("300.00"), role=AgentRole.BROKER)
    services.commission_rule_set(kind="percent", percent=Decimal("3.3333"), agent=star)

    assert _win(make_lead, agent, "19999.99").commissions.get().amount == Decimal("500.00")  # 499.99975 -> 500.00
    assert _win(make_lead, broker).commissions.get().amount == Decimal("300.00")
    c = _win(make_lead, star, "1000.00").commissions.get()
    assert (c.amount, c.status, c.agent_id) == (Decimal("33.33"), Commission.Status.ACCRUED, star.pk)


@pytest.mark.django_db
def test_new_rule_replaces_the_old_one_and_no_rule_means_no_commission(make_agent, make_lead):
    agent = make_agent()
    assert not _win(make_lead, agent).commissions.exists()
    services.commission_rule_set(kind="flat", amount=Decimal("10.00"), role=AgentRole.SALES_AGENT)
    services.commission_rule_set(kind="flat", amount=Decimal("20.00"), role=AgentRole.SALES_AGENT)
    assert CommissionRule.objects.filter(is_active=True).count() == 1
    assert _win(make_lead, agent).commissions.get().amount == Decimal("20.00")


@pytest.mark.django_db
@pytest.mark.parametrize("kwargs", [
    {"kind": "percent", "percent": Decimal("0"), "role": "sales_agent"},
    {"kind": "percent", "percent": Decimal("101"), "role": "sales_agent"},
    {"kind": "percent", "percent": 2.5, "role": "sales_agent"},
    {"kind": "flat", "amount": Decimal("-1"), "role": "sales_agent"},
    {"kind": "flat", "amount": Decimal("1.001"), "role": "sales_agent"},
    {"kind": "flat", "amount": Decimal("5"), "role": ""},
    {"kind": "bonus", "amount": Decimal("5"), "role": "sales_agent"},
])
def test_bad_rules_are_refused(kwargs):
    with pytest.raises((InvalidCommissionRule, InvalidAmount)) as exc:
        services.commission_rule_set(**kwargs)
    assert exc.value.status == 400


@pytest.mark.django_db
def test_payout_moves_money_once(make_agent, make_lead, make_user):
    agent = make_agent()
    business = stores.business_account()
    wallet.deposit(account=business, amount=Decimal("1000.00"))
    services.commission_rule_set(kind="flat", amount=Decimal("250.00"), role=AgentRole.SALES_AGENT)
    commission = _win(make_lead, agent).commissions.get()
    payer = make_user()

    paid = services.commission_payout(commission=commission, by=payer)
    again = services.commission_payout(commission=commission, by=payer)

    assert paid.status == again.status == Commission.Status.PAID
    assert again.wallet_transaction_id == paid.wallet_transaction_id and paid.paid_by_id == payer.pk
    assert wallet_selectors.balance(wallet.account_for(agent)) == Decimal("250.00")
    assert wallet_selectors.balance(business) == Decimal("750.00")
    assert Transaction.objects.filter(kind="commission").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_payouts_pay_once_and_the_ledger_balances(make_agent, make_lead):
    agent = make_agent()
    business = stores.business_account()
    wallet.deposit(account=business, amount=Decimal("1000.00"))
    services.commission_rule_set(kind="percent", percent=Decimal("1.5"), role=AgentRole.SALES_AGENT)
    commission = _win(make_lead, agent, "10000.00").commissions.get()
    assert commission.amount == Decimal("150.00")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def pay():
        try:
            barrier.wait(timeout=30)
            results.append(services.commission_payout(commission=commission))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert {r.status for r in results} == {Commission.Status.PAID}
    assert len({r.wallet_transaction_id for r in results}) == 1
    txns = Transaction.objects.filter(kind="commission")
    assert txns.count() == 1
    entries = {e.account_id: e.amount for e in Entry.objects.filter(transaction=txns.get())}
    agent_account = wallet.account_for(agent)
    assert entries == {business.pk: Decimal("-150.00"), agent_account.pk: Decimal("150.00")}
    assert wallet_selectors.balance(agent_account) == Decimal("150.00")
    assert wallet_selectors.balance(business) == Decimal("850.00")
    report = verify_ledger()
    assert report.ok, report.mismatches


@pytest.mark.django_db
def test_payout_accrued_pays_each_pending_commission(make_agent, make_lead):
    a, b = make_agent(), make_agent()
    services.commission_rule_set(kind="flat", amount=Decimal("10.00"), role=AgentRole.SALES_AGENT)
    for agent in (a, a, b):
        _win(make_lead, agent)
    paid = services.commission_payout_accrued(agent=a)
    assert len(paid) == 2 and all(c.status == "paid" for c in paid)
    assert Commission.objects.filter(status="accrued").get().agent_id == b.pk
    assert wallet_selectors.balance(wallet.account_for(a)) == Decimal("20.00")
