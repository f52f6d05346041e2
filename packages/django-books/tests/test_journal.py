import datetime as dt
from decimal import Decimal

import pytest
from django_books import errors, selectors, services
from django_books.models import JournalEntry, LedgerAccount

pytestmark = pytest.mark.django_db
D = Decimal
DAY = dt.date(2026, 11, 10)


def _post(amount="100.00", key=None, date=DAY):
    return services.entry_post(date=date, key=key, memo="test", lines=[
        services.debit("cash", D(amount), source_type="sale", source_id=7),
        services.credit("other_income", D(amount), source_type="sale", source_id=7)])


def test_the_default_chart_is_a_car_dealers_and_created_once():
    services.chart_ensure()
    services.chart_ensure()
    roles = dict(LedgerAccount.objects.values_list("role", "type"))
    assert roles == {role: type_ for _, _, type_, role in services.DEFAULT_CHART}
    assert {"wallet", "cash", "receivables", "inventory", "vat_payable", "payables", "equity", "vehicle_sales",
            "commissions", "salaries", "other_income", "other_expenses"} <= set(roles)


def test_an_accountant_renames_and_renumbers_and_postings_follow_the_role():
    services.chart_ensure()
    cash = services.account_by_role("cash")
    services.account_update(account=cash, code="1001", name="Till")
    entry, _ = _post()
    assert entry.lines.get(amount__gt=0).account.code == "1001"
    with pytest.raises(errors.AccountInUse):
        services.account_update(account=cash, type="expense")
    with pytest.raises(errors.DuplicateAccount):
        services.account_create(code="1001", name="Other till", type="asset")
    petty = services.account_create(code="1002", name="Petty cash", type="asset")
    assert services.account_update(account=petty, type="expense").type == "expense"  # no lines yet


def test_a_keyed_entry_is_posted_once():
    first, created = _post(key="sale:7")
    again, created_again = _post(key="sale:7", amount="999.00")
    assert created and not created_again and again.pk == first.pk
    assert JournalEntry.objects.count() == 1


@pytest.mark.parametrize("lines", [
    [("cash", "100.00"), ("other_income", "-99.99")],
    [("cash", "100.00")],
    [("cash", "0"), ("other_income", "0")],
])
def test_unbalanced_entries_are_refused_before_the_database(lines):
    with pytest.raises(errors.UnbalancedEntry):
        services.entry_post(date=DAY, lines=[services.Line(role, D(amount)) for role, amount in lines])
    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize("amount", ["1.001", "NaN", "Infinity", "1e20", "abc"])
def test_bad_amounts_are_refused(amount):
    with pytest.raises(errors.InvalidAmount):
        services.entry_post(date=DAY, lines=[services.Line("cash", amount), services.Line("other_income", amount)])


def test_a_reversal_negates_every_line_once_and_is_not_reversed_again():
    entry, _ = _post()
    reversal = services.entry_reverse(entry=entry, date=DAY)
    assert sorted(reversal.lines.values_list("amount", "source_type", "source_id")) == [
        (D("-100.00"), "sale", "7"), (D("100.00"), "sale", "7")]
    assert selectors.trial_balance()["rows"] == [
        {"code": "1000", "name": "Cash", "type": "asset", "debit": D("0.00"), "credit": D("0.00")},
        {"code": "4900", "name": "Other income", "type": "income", "debit": D("0.00"), "credit": D("0.00")}]
    with pytest.raises(errors.AlreadyReversed):
        services.entry_reverse(entry=entry)
    with pytest.raises(errors.NotReversible):
        services.entry_reverse(entry=reversal)


def test_a_closed_period_refuses_entries_and_its_mistakes_are_reversed_in_an_open_one():
    entry, _ = _post(date=dt.date(2026, 10, 20))
    services.period_close(through=dt.date(2026, 10, 31))
    with pytest.raises(errors.PeriodClosed):
        _post(date=dt.date(2026, 10, 31))
    with pytest.raises(errors.PeriodClosed):
        services.entry_reverse(entry=entry, date=dt.date(2026, 10, 25))
    reversal = services.entry_reverse(entry=entry, date=dt.date(2026, 11, 1))
    assert reversal.date == dt.date(2026, 11, 1)
    with pytest.raises(errors.PeriodAlreadyClosed):
        services.period_close(through=dt.date(2026, 9, 30))


def test_entries_for_a_source_find_the_entry_from_its_cause():
    entry, _ = _post(key="sale:7")
    _post(key="other")
    assert [e.pk for e in selectors.entries_for_source("sale", 7)] == [entry.pk, entry.pk + 1]
    assert selectors.entries_for_source("sale", 8) == []


def test_general_ledger_runs_a_balance_from_the_opening():
    _post("100.00", date=dt.date(2026, 10, 5))
    _post("40.00", date=dt.date(2026, 11, 5))
    _post("2.50", date=dt.date(2026, 11, 6))
    ledger = selectors.general_ledger(account=services.account_by_role("cash"), date_from=dt.date(2026, 11, 1))
    assert ledger["opening"] == D("100.00")
    assert [r["balance"] for r in ledger["rows"]] == [D("140.00"), D("142.50")]
    assert ledger["closing"] == D("142.50")


def test_profit_by_month_nets_income_and_expenses_per_month():
    _post("100.00", date=dt.date(2026, 10, 5))
    services.entry_post(date=dt.date(2026, 11, 2), lines=[services.debit("salaries", D("30.00")),
                                                          services.credit("cash", D("30.00"))])
    _post("50.00", date=dt.date(2026, 11, 9))
    assert selectors.profit_by_month() == [
        {"month": "2026-10", "income": D("100.00"), "expense": D("0.00"), "profit": D("100.00")},
        {"month": "2026-11", "income": D("50.00"), "expense": D("30.00"), "profit": D("20.00")}]
