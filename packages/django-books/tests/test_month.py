"""A month of a dealership's business, booked through the public services with real wallet money:
the trial balance sums to zero, the balance sheet balances, the profit equals the figure worked out
by hand below, and the books' wallet account equals the wallet's balance."""
import datetime as dt
from decimal import Decimal

import pytest
from django_books import selectors, services

from django_wallet import services as wallet

pytestmark = pytest.mark.django_db
D = Decimal


def day(n):
    return dt.date(2026, 11, n)


@pytest.fixture
def month(business, paying_customer, make_user):
    top_up = wallet.deposit(account=business, amount=D("50000.00"), source="topups")
    services.wallet_movement(wallet_transaction_id=str(top_up.pk), amount=D("50000.00"), date=day(1), kind="deposit")

    services.vehicle_cost_add(vehicle_id=1, kind="acquisition", amount=D("8000.00"), incurred_on=day(2))
    services.vehicle_cost_add(vehicle_id=1, kind="reconditioning", amount=D("500.00"), incurred_on=day(3))
    services.vehicle_cost_add(vehicle_id=2, kind="acquisition", amount=D("12000.00"), incurred_on=day(2))

    paid = wallet.transfer(source=paying_customer(), destination=business, amount=D("14400.00"), kind="car_purchase")
    services.sale_post(key="car-sale:1", gross=D("14400.00"), sold_on=day(10), description="Vehicle 1",
                       source_type="car_sale", source_id=1, vehicle_id=1, paid_into="wallet",
                       payment_source=("wallet_transaction", str(paid.pk)))
    services.sale_post(key="lead-sale:9", gross=D("18000.00"), sold_on=day(12), description="Vehicle 2",
                       source_type="lead_sale", source_id=9, vehicle_id=2, paid_into="cash")

    agent = wallet.account_for(make_user())
    commission = wallet.transfer(source=business, destination=agent, amount=D("300.00"), kind="commission")
    services.commission_paid(commission_id="c-1", amount=D("300.00"), date=day(15),
                             wallet_transaction_id=str(commission.pk), accrued_on=day(10))
    services.commission_accrued(commission_id="c-2", amount=D("450.00"), date=day(12))

    staff = [wallet.account_for(make_user()), wallet.account_for(make_user())]
    payroll = wallet.transfer_many(legs=[(business, staff[0], D("2600.00")), (business, staff[1], D("1800.00"))],
                                   kind="payroll")
    services.payroll_paid(run_id=1, date=day(30), wallet_transaction_id=str(payroll.pk), payslips=[
        services.PayslipAmounts(11, D("3000.00"), D("400.00"), D("2600.00")),
        services.PayslipAmounts(12, D("2000.00"), D("200.00"), D("1800.00"))])

    fee = wallet.transfer(source=business, destination=wallet.system_account("fees"), amount=D("50.00"),
                          kind="car_feature")
    services.wallet_movement(wallet_transaction_id=str(fee.pk), amount=D("-50.00"), date=day(20), kind="car_feature")


def test_the_trial_balance_sums_to_zero(month):
    trial = selectors.trial_balance(date_from=day(1), date_to=day(30))
    assert trial["total_debit"] == trial["total_credit"] == D("103950.00")
    assert trial["difference"] == 0


def test_profit_and_loss_equals_the_hand_computed_figure(month):
    # income: net sales 12,000 + 15,000 = 27,000
    # expenses: cost of vehicles 8,500 + 12,000, commissions 300 + 450, salaries 5,000, other 50 = 26,300
    pnl = selectors.profit_and_loss(date_from=day(1), date_to=day(30))
    assert pnl["total_income"] == D("27000.00")
    assert pnl["total_expenses"] == D("26300.00")
    assert pnl["net_profit"] == D("700.00")
    assert {r["name"]: r["amount"] for r in pnl["expenses"]} == {
        "Cost of vehicles sold": D("20500.00"), "Commissions": D("750.00"), "Salaries": D("5000.00"),
        "Other expenses": D("50.00")}


def test_the_balance_sheet_balances(month):
    sheet = selectors.balance_sheet(as_of=day(30))
    # wallet 59,650 + cash 18,000 = 77,650 assets; payables 20,500 + VAT 5,400 + commissions 450 +
    # withholdings 600 = 26,950 liabilities; equity 50,000 + earnings 700
    assert sheet["total_assets"] == D("77650.00")
    assert sheet["total_liabilities"] == D("26950.00")
    assert sheet["total_equity"] == D("50700.00") and sheet["earnings"] == D("700.00")
    assert sheet["difference"] == 0


def test_the_wallet_reconciliation_shows_no_difference(month, business):
    recon = selectors.wallet_reconciliation()
    assert recon["books"] == recon["wallet"] == D("59650.00")
    assert recon["difference"] == 0 and recon["unbooked"] == []


def test_the_reconciliation_names_a_wallet_transaction_the_books_lack(month, business):
    stray = wallet.deposit(account=business, amount=D("25.00"))
    recon = selectors.wallet_reconciliation()
    assert recon["difference"] == D("25.00")
    assert [(u["transaction"], u["amount"]) for u in recon["unbooked"]] == [(str(stray.pk), D("25.00"))]


def test_every_line_names_its_source(month):
    from django_books.models import JournalLine

    assert not JournalLine.objects.filter(source_type="").exists()
    assert set(JournalLine.objects.values_list("source_type", flat=True)) == {
        "wallet_transaction", "vehicle", "car_sale", "lead_sale", "commission", "payslip"}
