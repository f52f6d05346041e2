"""demo/glue/books.py: a dealership's sales and paid commissions reach its books once, even when the
on-commit receiver that books them never ran (a crash between the commit and the callback).

The crash is the tests' default: pytest-django's rollback transaction never commits, so on-commit
callbacks run only inside django_capture_on_commit_callbacks(execute=True). The sweep's grace period
(the last minute, left to receivers still running) is off here: every sale is seconds old.
"""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.test_marketplace import _listed_dealer_car


@pytest.fixture(autouse=True)
def _no_grace(settings):
    settings.BOOKS_RECONCILE_GRACE_SECONDS = 0


def _entries(schema_name="dealer1"):
    from django_payroll.models import Entry

    with schema_context(schema_name):
        return sorted((e.source_type, e.source_id, e.kind, e.amount, e.booked_on) for e in Entry.objects.all())


@pytest.fixture
def agent(dealer1, make_user):
    from tenancy.services import membership_grant

    user = make_user()
    membership_grant(user=user, dealership=dealer1, role="sales_agent")
    return user


def _offline_win(car, agent, *, price: str, sold_on: dt.date):
    """An offline CRM sale of ``car`` by ``agent``, with a flat 250.00 commission accrued."""
    from django_leads import services as leads
    from django_leads.models import Lead, LeadStatus

    with schema_context("dealer1"):
        leads.commission_rule_set(kind="flat", amount=Decimal("250.00"), agent=agent)
        lead = leads.lead_create(car=car, agent=agent, contact_name="Walk In", contact_phone="+14155550100")
        Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.NEGOTIATING)  # the pipeline walked already
        return leads.lead_win(lead=lead, by=agent, payment="offline", agreed_price=Decimal(price), sold_on=sold_on)


@pytest.mark.django_db
def test_a_car_sale_whose_booking_was_lost_is_booked_by_the_sweep_once(dealer1, dealer1_staff, funded_buyer,
                                                                       make_user):
    from demo.glue import books
    from django_car_listing.models import StoreSale
    from django_car_listing.services import car_buy

    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    car_buy(buyer=funded_buyer, store_key="dealer1", car_id=car.pk)  # committed; its receiver never ran
    assert _entries() == []

    assert books.reconcile_all() == {"dealer1": 1}
    with schema_context("dealer1"):
        sale = StoreSale.objects.get()
    assert _entries() == [("car_sale", f"car:{sale.pk}", "income", Decimal("12000.00"), sale.sold_at.date())]
    assert books.reconcile_all() == {}  # nothing twice
    assert _entries("dealer2") == []


@pytest.mark.django_db
def test_the_sweep_books_nothing_the_receiver_already_booked(dealer1, dealer1_staff, funded_buyer, make_user,
                                                              django_capture_on_commit_callbacks):
    from demo.glue import books
    from django_car_listing.services import car_buy

    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        car_buy(buyer=funded_buyer, store_key="dealer1", car_id=car.pk)
    booked = _entries()
    assert len(booked) == 1
    assert books.reconcile_all() == {}
    assert _entries() == booked


@pytest.mark.django_db
def test_lost_offline_sale_and_commission_bookings_are_swept_on_their_own_dates(dealer1, dealer1_staff, agent,
                                                                                 make_user):
    from demo.glue import books
    from demo.glue.hooks import store_account
    from django_leads import services as leads
    from django_wallet import services as wallet

    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    sold_on = timezone.localdate() - dt.timedelta(days=2)
    sale = _offline_win(car, agent, price="9000.00", sold_on=sold_on)
    wallet.deposit(account=store_account("dealer1"), amount=Decimal("1000.00"))
    with schema_context("dealer1"):
        commission = leads.commission_payout(commission=sale.commissions.get())
    assert _entries() == []  # neither receiver ran

    assert books.reconcile_all() == {"dealer1": 2}
    assert _entries() == [
        ("car_sale", f"lead:{sale.pk}", "income", Decimal("9000.00"), sold_on),
        ("commission", str(commission.uuid), "expense", Decimal("250.00"), commission.paid_at.date()),
    ]
    assert books.reconcile_all() == {}


@pytest.mark.django_db
def test_the_receiver_books_an_offline_sale_on_its_sale_date(dealer1, dealer1_staff, agent, make_user,
                                                              django_capture_on_commit_callbacks):
    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    sold_on = timezone.localdate() - dt.timedelta(days=3)
    with schema_context("dealer1"), django_capture_on_commit_callbacks(execute=True):  # commits in the dealership
        sale = _offline_win(car, agent, price="7000.00", sold_on=sold_on)
    assert _entries() == [("car_sale", f"lead:{sale.pk}", "income", Decimal("7000.00"), sold_on)]


@pytest.mark.django_db
def test_the_sweep_looks_back_books_reconcile_days_only(dealer1, dealer1_staff, funded_buyer, make_user, settings):
    from demo.glue import books
    from django_car_listing.models import StoreSale
    from django_car_listing.services import car_buy

    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    car_buy(buyer=funded_buyer, store_key="dealer1", car_id=car.pk)
    with schema_context("dealer1"):
        StoreSale.objects.update(sold_at=timezone.now() - dt.timedelta(days=10))
    settings.BOOKS_RECONCILE_DAYS = 7
    assert books.reconcile_all() == {}
    assert books.reconcile_all(days=30) == {"dealer1": 1}  # an operator's wider sweep after a long outage


@pytest.mark.django_db
def test_a_sale_of_a_moment_ago_is_left_to_its_receiver(dealer1, dealer1_staff, funded_buyer, make_user, settings):
    from demo.glue import books
    from django_car_listing.services import car_buy

    settings.BOOKS_RECONCILE_GRACE_SECONDS = 60
    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    car_buy(buyer=funded_buyer, store_key="dealer1", car_id=car.pk)
    assert books.reconcile_all() == {}  # its receiver may still be running: no false alarm, no race


def test_the_beat_task_books_a_lost_sale_through_a_real_worker(celery_worker):
    """Committed for real (no `db` fixture, so no make_user): the receiver is disconnected around the
    purchase, as if the process had died between the commit and the callback."""
    import time

    from django.contrib.auth import get_user_model

    from django_car_listing import signals as cars
    from django_car_listing.services import car_buy
    from django_wallet import services as wallet
    from tenancy.models import Dealership
    from tenancy.services import membership_grant
    from tenancy.tasks import books_reconcile

    staff, buyer, admin = (get_user_model().objects.create_user(username=name, is_staff=name == "admin")
                           for name in ("staff", "buyer", "admin"))
    membership_grant(user=staff, dealership=Dealership.objects.get(slug="dealer1"), role="dealer_staff")
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("20000.00"))
    car = _listed_dealer_car(staff, admin)
    assert cars.car_purchased.disconnect(dispatch_uid="wiring.book_car_sale")
    try:
        car_buy(buyer=buyer, store_key="dealer1", car_id=car.pk)
    finally:
        from demo.glue.wiring import book_car_sale

        cars.car_purchased.connect(book_car_sale, dispatch_uid="wiring.book_car_sale")
    assert _entries() == []
    books_reconcile.delay()  # sent from the public schema, as beat sends it
    deadline = time.monotonic() + 30
    while not _entries() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [(kind, amount) for _, _, kind, amount, _ in _entries()] == [("income", Decimal("12000.00"))]
