"""The seller's e-mail goes through a real Celery worker on the real Redis broker, exactly once, and
survives a broker outage during the purchase (outbox row + relay)."""
import time
from decimal import Decimal

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.core import mail

import django_car_listing.tasks  # noqa: F401 - registers the shared tasks
from django_car_listing import conf, services
from django_car_listing.models import PurchaseNotice
from tests.celery_app import app

QUEUE = "car_listing_tests"


@pytest.fixture
def worker():
    app.set_current()
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10) as w:
        yield w


def _wait_for_mail(count: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def _wait_sent(notice_id: int, timeout: float = 10) -> PurchaseNotice:
    # The worker appends to the outbox just before its transaction commits sent_at.
    deadline = time.monotonic() + timeout
    notice = PurchaseNotice.objects.get(pk=notice_id)
    while notice.sent_at is None and time.monotonic() < deadline:
        time.sleep(0.05)
        notice.refresh_from_db()
    return notice


def _buy(make_user, fund, listed_car):
    seller, buyer = make_user(email="seller@example.test"), make_user()
    fund(buyer, "2000.00")
    car = listed_car(seller, price=Decimal("1000.00"))
    services.car_buy(buyer=buyer, store_key="", car_id=car.pk)
    return seller, car


@pytest.mark.django_db(transaction=True)
def test_seller_email_once_through_real_worker(worker, make_user, fund, listed_car):
    mail.outbox.clear()
    seller, car = _buy(make_user, fund, listed_car)
    _wait_for_mail(1)
    assert [(m.to, m.body) for m in mail.outbox] == [(["seller@example.test"], conf.PURCHASE_EMAIL_BODY)]
    notice = _wait_sent(PurchaseNotice.objects.get(car_id=car.pk).pk)
    assert notice.sent_at is not None
    # Redelivery and a relay pass have no second effect.
    django_car_listing.tasks.send_purchase_email.delay(notice.pk)
    services.purchase_email_relay(grace_seconds=0)
    time.sleep(1)
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_broker_down_during_purchase_then_relay_delivers(worker, make_user, fund, listed_car):
    mail.outbox.clear()
    down = Celery("broker_down", broker="redis://127.0.0.1:1/0")
    down.conf.broker_connection_retry = False
    down.set_current()
    try:
        seller, car = _buy(make_user, fund, listed_car)  # on_commit enqueue fails: broker unreachable
    finally:
        app.set_current()
    time.sleep(0.5)
    notice = PurchaseNotice.objects.get(car_id=car.pk)
    assert notice.sent_at is None and mail.outbox == []
    # Broker back: the periodic relay (normally beat) re-enqueues the pending row.
    assert django_car_listing.tasks.relay_purchase_emails.apply(kwargs={"grace_seconds": 0}).get() == 1
    _wait_for_mail(1)
    assert [m.to for m in mail.outbox] == [["seller@example.test"]]
    assert _wait_sent(notice.pk).sent_at is not None
