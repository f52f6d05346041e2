"""forecourt_core.events in the site: recorded with the change, handled once, in the recording schema,
retried with backoff, and its backlog readable for metrics."""
import threading
import time
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from forecourt_core import context
from forecourt_core.events import registry, selectors, services
from forecourt_core.events.models import Event
from forecourt_core.testing.helpers import queues_purge

KIND = "tests.probe_happened"


@pytest.fixture
def probe():
    """A handler for KIND that notes (event id, schema it ran in) and the request id it ran under;
    ``probe.fail`` makes its next runs raise."""
    seen, request_ids, lock = [], {}, threading.Lock()

    def handle(event):
        if probe.fail:
            probe.fail -= 1
            raise RuntimeError("handler down")
        with lock:
            seen.append((str(event.id), connection.schema_name))
            request_ids[str(event.id)] = context.request_id.get()

    probe.fail, probe.seen, probe.request_ids = 0, seen, request_ids
    registry.register(KIND, handle, name="tests.probe")
    yield probe
    registry.unregister(KIND, name="tests.probe")


def _record(**data) -> Event:
    with transaction.atomic():
        return services.event_record(kind=KIND, data=data)


@pytest.mark.django_db
def test_an_event_exists_only_if_its_transaction_commits():
    with pytest.raises(RuntimeError), transaction.atomic():
        services.event_record(kind=KIND, data={"n": 1})
        raise RuntimeError("the change failed")
    assert not Event.objects.exists()
    _record(n=2)
    assert list(Event.objects.values_list("data", flat=True)) == [{"n": 2}]


@pytest.mark.django_db
def test_bad_kinds_and_data_are_refused():
    for kind in ["", "nodot", "Upper.case", "a." + "x" * 100]:
        with pytest.raises(ValueError):
            services.event_record(kind=kind)
    with pytest.raises(ValueError):
        services.event_record(kind=KIND, data=["not", "an", "object"])


@pytest.mark.django_db
def test_a_key_records_its_event_once_and_a_transaction_kicks_one_relay(probe, django_capture_on_commit_callbacks,
                                                                       settings):
    from demo.celery import app

    settings.FORECOURT_EVENTS_KICK = True
    broker = app.connection_for_write().default_channel.client
    caches["shared"].delete(services.KICK_PENDING_KEY)  # no kicked run waits (an earlier test's may)
    queued = broker.llen("celery")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first = services.event_record(kind=KIND, data={"n": 1}, key="probe:1")
        assert services.event_record(kind=KIND, data={"n": 2}, key="probe:1") is None  # the key was recorded
        many = services.event_record_many(kind=KIND, data=[{"n": 3}, {"n": 4}, {"n": 5}],
                                          keys=["probe:1", "probe:2", ""])
    assert [e.data for e in many] == [{"n": 4}, {"n": 5}]  # probe:1 left out
    assert sorted(Event.objects.values_list("key", flat=True)) == ["", "probe:1", "probe:2"]
    assert Event.objects.get(key="probe:1").pk == first.pk
    assert broker.llen("celery") == queued + 1  # one relay task for the whole transaction
    with pytest.raises(ValueError):
        services.event_record_many(kind=KIND, data=[{}], keys=["x" * 201])
    assert services.events_relay() == 3 and len(probe.seen) == 3


@pytest.mark.django_db
def test_an_event_is_handled_in_the_schema_it_was_recorded_in_with_its_request_id(dealer1, probe):
    token = context.request_id.set("req-42")
    try:
        with schema_context("dealer1"):
            in_dealer = _record()
    finally:
        context.request_id.reset(token)
    in_public = _record()
    assert (in_dealer.route, in_dealer.request_id) == ("dealer1", "req-42")
    assert in_public.route == "public" and in_public.request_id == ""
    assert services.events_relay() == 2
    assert sorted(probe.seen) == sorted([(str(in_dealer.id), "dealer1"), (str(in_public.id), "public")])
    # The relay (here outside any request) runs each handler under its event's request id, then lets it go.
    assert probe.request_ids == {str(in_dealer.id): "req-42", str(in_public.id): ""}
    assert context.request_id.get() == ""
    assert set(Event.objects.values_list("status", flat=True)) == {"delivered"}


@pytest.mark.django_db
def test_the_work_an_event_causes_carries_its_request_id(make_user):
    """A handler's own events (a notification's e-mail and push) keep the request id of the change."""
    from django_notifications.services import notify

    user = make_user(email="probe@example.com")
    registry.register(KIND, lambda event: notify(recipient=user, kind="probe", title="t", event_id=event.id),
                      name="tests.writer")
    try:
        token = context.request_id.set("req-7")
        try:
            event = _record()
        finally:
            context.request_id.reset(token)
        assert services.events_relay(ids=[event.pk]) == 1
    finally:
        registry.unregister(KIND, name="tests.writer")
    caused = Event.objects.filter(kind__in=["notifications.email_due", "notifications.push_due"])
    assert sorted(caused.values_list("kind", "request_id")) == [("notifications.email_due", "req-7"),
                                                                 ("notifications.push_due", "req-7")]


@pytest.mark.django_db
def test_a_failing_handler_is_retried_with_backoff_its_writes_undone_and_fails_after_the_last_try(probe, settings,
                                                                                                  make_user):
    from django_notifications.models import Notification
    from django_notifications.services import notify

    user = make_user()
    registry.register(KIND, lambda event: notify(recipient=user, kind="probe", title="t", event_id=event.id),
                      name="tests.writer")
    try:
        settings.FORECOURT_EVENTS_MAX_ATTEMPTS = 3
        event = _record()
        probe.fail = 1
        assert services.events_relay() == 0
        event.refresh_from_db()
        assert (event.status, event.attempts, "handler down" in event.last_error) == ("pending", 1, True)
        assert event.available_at > timezone.now() + timedelta(seconds=3)  # 5 s after the first failure
        assert not Notification.objects.exists()  # the other handler's write was rolled back with it
        assert services.events_relay() == 0  # not due yet

        Event.objects.filter(pk=event.pk).update(available_at=timezone.now())
        assert services.events_relay(ids=[event.pk]) == 1  # (the notification's e-mail and push are events too)
        event.refresh_from_db()
        assert (event.status, event.attempts, event.last_error) == ("delivered", 2, "")
        assert Notification.objects.filter(recipient=user).count() == 1

        doomed = _record()
        probe.fail = 3
        for _ in range(3):
            Event.objects.filter(pk=doomed.pk).update(available_at=timezone.now())
            services.events_relay()
        doomed.refresh_from_db()
        assert (doomed.status, doomed.attempts) == ("failed", 3)
        assert selectors.event_backlog().failed == 1
        assert services.events_retry(ids=[doomed.pk]) == 1  # an operator's retry: a fresh set of attempts
        assert services.events_relay(ids=[doomed.pk]) == 1
    finally:
        registry.unregister(KIND, name="tests.writer")


@pytest.mark.django_db
def test_backlog_counts_undelivered_events_and_the_age_of_the_oldest(probe):
    assert selectors.event_backlog() == selectors.Backlog(count=0, oldest_age_seconds=0.0, failed=0)
    old, _new = _record(), _record()
    Event.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    backlog = selectors.event_backlog()
    assert backlog.count == 2 and 599 < backlog.oldest_age_seconds < 3600 and backlog.failed == 0
    services.events_relay()
    assert selectors.event_backlog().count == 0


@pytest.mark.django_db
def test_an_event_claimed_by_a_relay_that_died_is_claimed_again(probe, settings):
    event = _record()
    assert services._claim(None).pk == event.pk  # claimed, then the process "dies" before delivering
    assert services.events_relay() == 0  # a fresh claim is left to its relay
    settings.FORECOURT_EVENTS_RECLAIM_AFTER_SECONDS = 0
    assert services.events_relay() == 1
    event.refresh_from_db()
    assert (event.status, event.attempts) == ("delivered", 2)
    assert probe.seen == [(str(event.id), "public")]


def test_relays_running_side_by_side_deliver_each_event_once(committed_db, probe):
    events = [_record(n=n) for n in range(40)]
    start = threading.Barrier(4)

    def relay():
        start.wait()
        try:
            services.events_relay()
        finally:
            connection.close()

    threads = [threading.Thread(target=relay) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(event_id for event_id, _ in probe.seen) == sorted(str(e.id) for e in events)
    assert Event.objects.filter(status="delivered").count() == 40


def test_the_commit_kicks_a_relay_so_a_worker_delivers_without_waiting_for_beat(celery_worker, probe):
    event = _record()
    deadline = time.monotonic() + 60
    while Event.objects.get(pk=event.pk).status != "delivered":
        assert time.monotonic() < deadline, "the kicked relay task never delivered the event"
        time.sleep(0.2)
    assert probe.seen == [(str(event.id), "public")]


def test_a_commit_while_a_kicked_run_waits_sends_no_task_and_that_run_delivers_its_event(committed_db, probe):
    from celery.contrib.testing.worker import start_worker

    from demo.celery import app

    queues_purge(app)  # no task of an earlier test left to deliver these events
    broker = app.connection_for_write().default_channel.client
    first = _record(n=1)
    assert broker.llen("celery") == 1  # its kick: a relay task, which no worker runs yet
    second = _record(n=2)
    assert broker.llen("celery") == 1  # a kicked run waits: this commit sends none
    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, loglevel="WARNING",
                      queues=["celery"]):
        deadline = time.monotonic() + 60
        while Event.objects.filter(pk__in=[first.pk, second.pk], status="delivered").count() < 2:
            assert time.monotonic() < deadline, "the waiting relay run did not deliver both events"
            time.sleep(0.2)
    assert sorted(event_id for event_id, _ in probe.seen) == sorted([str(first.id), str(second.id)])
