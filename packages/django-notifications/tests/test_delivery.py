"""E-mail delivery through the kernel's event relay: a real Celery worker on the real Redis broker, or the
test playing the relay where it must hold the timing."""
import threading
from datetime import timedelta

import pytest
from celery import Celery
from django.core import mail
from django.db import connection
from django.utils import timezone

from django_notifications import services
from forecourt_core.events.models import Event
from forecourt_core.events.services import events_relay, events_retry
from forecourt_core.events.tasks import relay_events
from forecourt_core.testing.helpers import use_email_backend
from tests.celery_app import app as celery_app
from tests.conftest import deliveries, relay, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
Status = Event.Status


@pytest.fixture(autouse=True)
def email_only(settings):
    # Only the settings fixture here: mixing it with override_settings decorators leaks on teardown.
    settings.NOTIFICATIONS_DEFAULT_CHANNELS = {"*": ["inbox", "email"]}


@pytest.fixture
def no_kick(settings):
    settings.FORECOURT_EVENTS_KICK = False  # the test plays the relay itself


def _delivered(n):
    return lambda: Event.objects.filter(kind="notifications.email_due", status=Status.DELIVERED).count() >= n


def test_worker_delivers_the_email_once(celery_worker, make_user):
    user = make_user()
    services.notify(recipient=user, kind="car.purchased", title="Your car was sold", body="Congrats")
    wait_for(_delivered(1))  # the commit's kick sent a relay task to the worker
    (event,) = deliveries("email")
    assert event.attempts == 1 and event.delivered_at
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert (msg.to, msg.subject, msg.body, msg.from_email) == (
        [user.email], "Your car was sold", "Congrats", "forecourt@example.com")


def test_a_redelivered_relay_message_sends_nothing_twice(celery_worker, make_user):
    services.notify(recipient=make_user(), kind="k", title="once")
    wait_for(_delivered(1))
    (event,) = deliveries("email")
    # The broker hands the relay message to a worker again (e.g. the ack was lost): no second e-mail.
    again = [relay_events.apply(kwargs={"ids": [str(event.pk)]}).get() for _ in range(2)]
    assert again == [0, 0]
    assert len(mail.outbox) == 1
    event.refresh_from_db()
    assert event.attempts == 1


def test_two_concurrent_relays_of_one_email_send_it_once(make_user, settings, no_kick):
    use_email_backend(settings, "tests.backends.SlowEmailBackend")
    services.notify(recipient=make_user(), kind="k", title="race")
    (event,) = deliveries("email")
    barrier, results = threading.Barrier(2), []

    def run():
        try:
            barrier.wait()
            results.append(events_relay(ids=[event.pk]))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1]
    assert len(mail.outbox) == 1


def test_mail_server_down_retries_with_backoff_then_fails_then_sends_once(make_user, settings, no_kick):
    use_email_backend(settings, "tests.backends.BrokenEmailBackend")
    settings.FORECOURT_EVENTS_MAX_ATTEMPTS = 2
    services.notify(recipient=make_user(), kind="k", title="late")
    assert relay() == 0
    (event,) = deliveries("email")
    assert (event.status, event.attempts) == (Status.PENDING, 1) and "smtp down" in event.last_error
    assert event.available_at > timezone.now()  # backoff: not before the delay
    assert relay() == 0 and mail.outbox == []
    Event.objects.filter(pk=event.pk).update(available_at=timezone.now() - timedelta(seconds=1))
    assert relay() == 0
    event.refresh_from_db()
    assert (event.status, event.attempts) == (Status.FAILED, 2)  # out of attempts: the admin's retry is next

    use_email_backend(settings, "django.core.mail.backends.locmem.EmailBackend")  # the mail server is back
    assert events_retry(ids=[event.pk]) == 1
    assert relay() == 1 and relay() == 0
    assert [m.subject for m in mail.outbox] == ["late"]


def test_broker_down_loses_nothing_and_sends_each_once(celery_worker, make_user):
    users = [make_user() for _ in range(10)]
    down = Celery("broker-down", broker="redis://127.0.0.1:1/0", set_as_current=False)
    down.set_current()
    try:
        for i in range(100):  # each commit tries the relay's kick, which fails at once
            services.notify(recipient=users[i % 10], kind="k", title=f"n{i}")
    finally:
        celery_app.set_current()
    assert [e.status for e in deliveries("email")] == [Status.PENDING] * 100
    assert mail.outbox == []

    relay_events.delay()  # the broker is back: beat's relay delivers everything
    wait_for(_delivered(100), timeout=60)
    assert relay() == 0
    assert sorted(m.subject for m in mail.outbox) == sorted(f"n{i}" for i in range(100))
    assert all(m.to == [users[int(m.subject[1:]) % 10].email] for m in mail.outbox)


def test_a_push_without_a_channel_layer_waits_for_a_retry(make_user, settings, no_kick):
    settings.NOTIFICATIONS_DEFAULT_CHANNELS = {"*": ["inbox", "push"]}
    services.notify(recipient=make_user(), kind="k", title="no layer")
    settings.CHANNEL_LAYERS = {}
    assert relay() == 0
    (event,) = deliveries("push")
    assert (event.status, event.attempts) == (Status.PENDING, 1) and "CHANNEL_LAYERS" in event.last_error
