"""Income/expense entries and the financial reports against hand-computed figures."""
import datetime as dt
import threading
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, connections, transaction

from django_payroll import errors, selectors, services
from django_payroll.models import Entry


@pytest.mark.django_db
def test_car_sale_entry_is_booked_once():
    first, created = services.entry_record_car_sale(sale_id=42, amount=D("15000.00"), booked_on=dt.date(2026, 11, 3))
    again, created_again = services.entry_record_car_sale(sale_id="42", amount=D("15000.00"),
                                                          booked_on=dt.date(2026, 11, 3))
    assert created and not created_again and first.pk == again.pk
    assert (first.kind, first.category.code) == ("income", "car_sales")
    assert Entry.objects.filter(source_type="car_sale").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses a duplicate too
        Entry.objects.create(category=first.category, kind="income", amount=D("1"), booked_on=first.booked_on,
                             source_type="car_sale", source_id="42")


@pytest.mark.django_db(transaction=True)
def test_concurrent_sale_receivers_book_one_entry():
    barrier = threading.Barrier(3)

    def record():
        try:
            barrier.wait()
            services.entry_record_car_sale(sale_id=7, amount=D("9000.00"), booked_on=dt.date(2026, 11, 3))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record) for _ in range(3)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert Entry.objects.filter(source_type="car_sale", source_id="7").count() == 1


@pytest.mark.django_db
def test_manual_entries_and_amount_validation(make_user):
    fuel = services.category_ensure(code="fuel", name="Fuel", kind="expense")
    entry = services.entry_create(category=fuel, amount=D("80.10"), booked_on=dt.date(2026, 11, 5),
                                  created_by=make_user())
    assert entry.kind == "expense" and entry.source_type == ""
    services.entry_create(category=fuel, amount=D("80.10"), booked_on=dt.date(2026, 11, 5))  # manual: no dedup
    for bad in (D("0"), D("-1"), D("1.001"), D("NaN"), 1.5):
        with pytest.raises(errors.InvalidAmount):
            services.entry_create(category=fuel, amount=bad, booked_on=dt.date(2026, 11, 5))
    with pytest.raises(errors.CategoryMismatch):
        services.category_ensure(code="fuel", kind="income")


@pytest.fixture
def november_books(make_employee, fund, approved_run):
    """Hand figures, November 2026:
    income  = car sales 15000.00 + 9500.50 + service 1200.00          = 25700.50
    expense = payroll gross 3600.00 + 1500.00 + fuel 80.10 + commission 450.00 = 5630.10
    profit  = 20070.40.  October: car sale 5000.00 (not in November).
    """
    services.tax_bands_replace(bands=[{"lower": D("0"), "upper": D("2000.00"), "rate": D("0")},
                                      {"lower": D("2000.00"), "upper": None, "rate": D("25")}])
    make_employee(base="3600.00", department="Sales")  # tax 400.00, net 3200.00
    make_employee(base="1500.00", department="Workshop")  # no tax
    fund("10000.00")
    run = services.run_pay(run=approved_run())
    services.entry_record_car_sale(sale_id=1, amount=D("15000.00"), booked_on=dt.date(2026, 11, 2))
    services.entry_record_car_sale(sale_id=2, amount=D("9500.50"), booked_on=dt.date(2026, 11, 30))
    services.entry_record_car_sale(sale_id=3, amount=D("5000.00"), booked_on=dt.date(2026, 10, 31))
    services.entry_record_commission(commission_id="lead-9", amount=D("450.00"), booked_on=dt.date(2026, 11, 15))
    service = services.category_ensure(code="service", name="Workshop service", kind="income")
    services.entry_create(category=service, amount=D("1200.00"), booked_on=dt.date(2026, 11, 20))
    fuel = services.category_ensure(code="fuel", name="Fuel", kind="expense")
    services.entry_create(category=fuel, amount=D("80.10"), booked_on=dt.date(2026, 11, 1))
    return run


@pytest.mark.django_db
def test_profit_and_loss_for_a_fixture_month_equals_the_hand_figure(november_books):
    nov = selectors.profit_and_loss(date_from=dt.date(2026, 11, 1), date_to=dt.date(2026, 11, 30))
    assert nov == [{"month": "2026-11", "income": D("25700.50"), "expense": D("5630.10"), "profit": D("20070.40")}]
    both = selectors.profit_and_loss()
    assert [row["month"] for row in both] == ["2026-10", "2026-11"] and both[0]["profit"] == D("5000.00")


@pytest.mark.django_db
def test_breakdowns_and_cash_position(november_books):
    nov = {"date_from": dt.date(2026, 11, 1), "date_to": dt.date(2026, 11, 30)}
    revenue = {r["category"]: r["total"] for r in selectors.revenue_by_source(**nov)}
    assert revenue == {"car_sales": D("24500.50"), "service": D("1200.00")}
    expenses = {r["category"]: r["total"] for r in selectors.expenses_by_category(**nov)}
    assert expenses == {"payroll": D("5100.00"), "commissions": D("450.00"), "fuel": D("80.10")}
    by_dept = {r["department"]: (r["gross"], r["deductions"], r["net"]) for r in
               selectors.payroll_cost_by_department(**nov)}
    assert by_dept == {"Sales": (D("3600.00"), D("400.00"), D("3200.00")),
                       "Workshop": (D("1500.00"), D("0.00"), D("1500.00"))}
    assert selectors.payroll_cost_by_department(date_from=dt.date(2026, 12, 1)) == []
    assert selectors.cash_position()["balance"] == D("10000.00") - D("4700.00")
    with pytest.raises(errors.InvalidDateRange):
        selectors.profit_and_loss(date_from=dt.date(2026, 12, 1), date_to=dt.date(2026, 11, 1))

