"""Concurrent sales on real connections: invoice numbers neither reused nor skipped; one key, one entry."""
import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django_books import selectors, services
from django_books.models import JournalEntry, VehicleSale

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
D = Decimal
DAY = dt.date(2026, 11, 10)


class Refused(Exception):
    pass


def _race(n, work):
    barrier = threading.Barrier(n)
    errors = []

    def run(i):
        try:
            barrier.wait()
            work(i)
        except Refused:
            pass
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_concurrent_sales_never_reuse_or_skip_an_invoice_number():
    services.chart_ensure()
    services.profile_get()

    def sell(i):
        with transaction.atomic():
            services.sale_post(key=f"sale:{i}", gross=D("1000.00") + i, sold_on=DAY, description=f"car {i}",
                               source_type="sale", source_id=i, paid_into="cash")
            if i % 3 == 0:  # the business transaction fails after the number was taken
                raise Refused()

    _race(12, sell)
    numbers = sorted(VehicleSale.objects.values_list("invoice_number", flat=True))
    assert numbers == list(range(1, 9))  # 12 sales, 4 rolled back: 1..8, no gap, no repeat
    assert sorted(VehicleSale.objects.values_list("key", flat=True)) == sorted(
        f"sale:{i}" for i in range(12) if i % 3)
    assert selectors.trial_balance()["difference"] == 0


def test_the_same_sale_posted_concurrently_is_booked_and_numbered_once():
    services.chart_ensure()
    services.profile_get()

    def sell(i):
        services.sale_post(key="sale:42", gross=D("5000.00"), sold_on=DAY, description="car",
                           source_type="sale", source_id=42, paid_into="cash")

    _race(8, sell)
    assert list(VehicleSale.objects.values_list("invoice_number", flat=True)) == [1]
    assert JournalEntry.objects.count() == 1
    services.sale_post(key="sale:43", gross=D("5000.00"), sold_on=DAY, description="next", source_type="sale",
                       source_id=43, paid_into="cash")
    assert VehicleSale.objects.get(key="sale:43").invoice_number == 2


def test_a_keyed_entry_posted_concurrently_exists_once():
    services.chart_ensure()

    def post(i):
        services.entry_post(date=DAY, key="wallet:abc", lines=[
            services.debit("wallet", D("10.00")), services.credit("equity", D("10.00"))])

    _race(8, post)
    assert JournalEntry.objects.filter(key="wallet:abc").count() == 1
    assert services.account_by_role("wallet").lines.get().amount == D("10.00")


def test_an_entry_racing_a_period_close_commits_before_it_or_is_refused():
    services.chart_ensure()
    refused = []

    def work(i):
        if i == 0:
            services.period_close(through=DAY)
            return
        try:
            services.entry_post(date=DAY, lines=[services.debit("cash", D("1.00")),
                                                 services.credit("other_income", D("1.00"))])
        except services_errors.PeriodClosed:
            refused.append(i)

    from django_books import errors as services_errors

    _race(6, work)
    closed_at = services.closed_through()
    assert closed_at == DAY
    assert JournalEntry.objects.count() + len(refused) == 5
