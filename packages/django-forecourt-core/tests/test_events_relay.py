"""The relay and kinds without a handler: delivered as they are, with one warning per kind and process."""
import logging
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction

from forecourt_core import context
from forecourt_core.events import registry, services
from forecourt_core.events.models import Event
from forecourt_core.events.services import event_record, events_relay

pytestmark = pytest.mark.django_db
LOGGER = "forecourt_core.events.services"


def _unhandled_warnings(caplog, kind):
    return [r for r in caplog.records if r.levelno == logging.WARNING and repr(kind) in r.getMessage()]


def test_an_unhandled_kind_is_delivered_with_one_warning_naming_it(caplog):
    kind = "testing.nobody_consumes"
    caplog.set_level(logging.WARNING, logger=LOGGER)
    for n in range(2):
        event_record(kind=kind, data={"n": n})
    assert events_relay() == 2
    assert set(Event.objects.filter(kind=kind).values_list("status", flat=True)) == {Event.Status.DELIVERED}
    event_record(kind=kind)
    assert events_relay() == 1
    (warning,) = _unhandled_warnings(caplog, kind)  # once per process, not per event or relay run
    assert "same code as the web processes" in warning.getMessage()


def test_a_handled_kind_warns_nothing(caplog):
    kind, seen = "testing.someone_consumes", []
    registry.register(kind, seen.append, name="test")
    try:
        caplog.set_level(logging.WARNING, logger=LOGGER)
        event_record(kind=kind)
        assert events_relay() == 1
    finally:
        registry.unregister(kind, name="test")
    assert [e.kind for e in seen] == [kind]
    assert not _unhandled_warnings(caplog, kind)


class _Broker:
    """Stands in for relay_events.apply_async: counts the tasks sent, runs none (or fails to send)."""

    def __init__(self, fail=False):
        self.sent, self.fail = 0, fail

    def __call__(self, *args, **kwargs):
        if self.fail:
            raise ConnectionError("broker down")
        self.sent += 1


@pytest.fixture
def broker(monkeypatch, settings):
    from django.core.cache import caches

    from forecourt_core.events import tasks

    settings.FORECOURT_EVENTS_KICK = True
    caches["default"].delete(services.KICK_PENDING_KEY)
    stub = _Broker()
    monkeypatch.setattr(tasks.relay_events, "apply_async", stub)
    registry.register("testing.kicked", lambda event: None, name="test")  # only a handled kind kicks
    yield stub
    registry.unregister("testing.kicked", name="test")


def _committed(capture, kind="testing.kicked", **data):
    with capture(execute=True), transaction.atomic():
        return event_record(kind=kind, data=data)


def test_a_commit_while_a_kicked_run_waits_sends_nothing_and_that_run_delivers_its_event(
        broker, django_capture_on_commit_callbacks):
    first = _committed(django_capture_on_commit_callbacks, n=1)
    assert broker.sent == 1
    second = _committed(django_capture_on_commit_callbacks, n=2)  # the run kicked by the first still waits
    assert broker.sent == 1
    assert events_relay() == 2  # the waiting run starts: both events, the second without a task of its own
    assert set(Event.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {"delivered"}
    _committed(django_capture_on_commit_callbacks, n=3)  # no run waits any more: this commit kicks one
    assert broker.sent == 2


@pytest.mark.django_db(transaction=True)  # each transaction's on-commit hooks run at its own commit, as in production
def test_an_event_committed_while_a_run_delivers_kicks_a_run_of_its_own(broker):
    kind, later = "testing.kicks_during_a_run", []

    def handler(event):  # commits (with the event's delivery) after the run took the pending mark
        later.append(event_record(kind="testing.kicked", data={"after": str(event.pk)}))

    registry.register(kind, handler, name="test")
    try:
        with transaction.atomic():
            event_record(kind=kind)
        assert broker.sent == 1
        # The run delivers both events and ends by finding nothing, which kicks no run of its own: the only
        # other task is the one the handler's commit sent.
        assert events_relay() == 2
    finally:
        registry.unregister(kind, name="test")
    assert Event.objects.get(pk=later[0].pk).status == "delivered" and broker.sent == 2


def test_a_kind_no_handler_takes_kicks_no_run_and_the_periodic_relay_marks_it_delivered(
        broker, django_capture_on_commit_callbacks):
    from django.core.cache import caches

    unhandled = _committed(django_capture_on_commit_callbacks, kind="testing.nobody_consumes", n=1)
    assert broker.sent == 0 and caches["default"].get(services.KICK_PENDING_KEY) is None
    # A transaction that also records a handled kind kicks one run, which takes both.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event_record(kind="testing.nobody_consumes", data={"n": 2})
        handled = event_record(kind="testing.kicked")
    assert broker.sent == 1
    assert events_relay() == 3
    assert set(Event.objects.filter(pk__in=[unhandled.pk, handled.pk]).values_list("status", flat=True)) == {
        "delivered"}


def test_event_recorded_kicks_for_the_kinds_it_is_told(broker, django_capture_on_commit_callbacks):
    with pytest.raises(TypeError):
        services.event_recorded()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.event_recorded("testing.nobody_consumes")
    assert broker.sent == 0
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.event_recorded("testing.nobody_consumes", "testing.kicked")
    assert broker.sent == 1


def test_a_full_batch_kicks_another_run_for_the_rest(broker, settings):
    settings.FORECOURT_EVENTS_KICK = False  # recorded without kicks: as if their tasks were lost
    for n in range(3):
        event_record(kind="testing.kicked", data={"n": n})
    settings.FORECOURT_EVENTS_KICK, settings.FORECOURT_EVENTS_BATCH = True, 2
    assert events_relay() == 2 and broker.sent == 1
    assert events_relay() == 1 and broker.sent == 1  # the rest: nothing left, no further kick


def test_a_kick_whose_task_cannot_be_sent_leaves_no_mark_and_a_cache_outage_still_sends(
        broker, django_capture_on_commit_callbacks, monkeypatch):
    from django.core.cache import caches

    broker.fail = True
    _committed(django_capture_on_commit_callbacks, n=1)
    assert caches["default"].get(services.KICK_PENDING_KEY) is None  # the next commit tries again
    broker.fail = False
    _committed(django_capture_on_commit_callbacks, n=2)
    assert broker.sent == 1

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(type(caches["default"]), "add", down)
    _committed(django_capture_on_commit_callbacks, n=3)  # the mark is set, but the cache cannot say so
    assert broker.sent == 2


def test_a_recorded_event_is_every_column_of_the_row_the_orm_would_write():
    from forecourt_core.events.services import INSERT_COLUMNS

    assert tuple(f.column for f in Event._meta.concrete_fields) == INSERT_COLUMNS
    recorded = services.event_record_many(kind="core.tested", data=[{"n": 1}, None], keys=["one", ""])
    again = services.event_record_many(kind="core.tested", data=[{"n": 2}], keys=["one"])
    assert again == [] and [e.data for e in recorded] == [{"n": 1}, {}]
    for event in recorded:
        stored = Event.objects.get(pk=event.pk)
        assert not event._state.adding
        assert {f.attname: getattr(stored, f.attname) for f in Event._meta.concrete_fields} == {
            f.attname: getattr(event, f.attname) for f in Event._meta.concrete_fields}


def _row(event_id) -> dict:
    return Event.objects.filter(pk=event_id).values()[0]


def _fresh(row: dict) -> dict:
    """A fresh event row's columns but its id, kind, data and times (the times checked apart)."""
    return {k: v for k, v in row.items() if k not in ("id", "kind", "data", "available_at", "created_at")}


@pytest.fixture
def traced(settings):
    """A request id and a route, so the rows compared carry them; and data that needs the JSON encoder."""
    settings.FORECOURT_EVENTS_ROUTE = lambda: "route-1"
    token = context.request_id.set("req-1")
    yield {"price": Decimal("12.50"), "at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
           "id": uuid.UUID("12345678-1234-5678-1234-567812345678")}
    context.request_id.reset(token)


STORED = {"price": "12.50", "at": "2026-01-02T03:04:05Z", "id": "12345678-1234-5678-1234-567812345678"}


def test_an_event_insert_writes_the_row_event_record_writes(traced):
    recorded = services.event_record(kind="core.tested", data=traced)
    sql, params = services.event_insert(kind="core.tested", data=traced)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    inserted = Event.objects.exclude(pk=recorded.pk).get()
    assert inserted.data == recorded.data == STORED and inserted.available_at == inserted.created_at
    assert (inserted.route, inserted.request_id) == ("route-1", "req-1")
    assert _fresh(_row(inserted.pk)) == _fresh(_row(recorded.pk))


def test_an_event_insert_from_rows_adds_to_the_data_per_row():
    sql, params = services.event_insert(kind="core.tested", data={"n": 1}, source="src",
                                        data_sql="%s::jsonb || jsonb_build_object('m', src.m)")
    with connection.cursor() as cursor:
        cursor.execute(f"WITH src AS (SELECT 7 AS m) {sql}", params)
    assert Event.objects.get().data == {"n": 1, "m": 7}


def test_the_sql_function_writes_the_row_event_record_writes(traced):
    """forecourt_event_insert (migration 0003), for SQL callers, keeps the kernel's defaults."""
    recorded = services.event_record(kind="core.tested", data=traced)
    event_id, text, route, request_id = services.event_values(kind="core.tested", data=traced)
    with connection.cursor() as cursor:
        cursor.execute("SELECT forecourt_event_insert(%s, %s, %s::jsonb, %s, %s, now())",
                       [event_id, "core.tested", text, route, request_id])
    inserted = Event.objects.get(pk=event_id)
    assert inserted.data == recorded.data == STORED and inserted.available_at == inserted.created_at
    assert (inserted.route, inserted.request_id) == ("route-1", "req-1")
    assert _fresh(_row(event_id)) == _fresh(_row(recorded.pk))


@pytest.mark.django_db(transaction=True)
def test_the_sql_functions_plpgsql_body_reverts_to_0003s():
    """0004 rewrites forecourt_event_insert in PL/pgSQL (its plan kept per session); its reverse restores 0003's
    SQL function. Either writes the same row."""
    from django.core.management import call_command

    def language_and_insert() -> str:
        event_id = uuid.uuid4()
        with connection.cursor() as cursor:
            cursor.execute("SELECT forecourt_event_insert(%s, 'core.tested', '{}'::jsonb, '', '', now())", [event_id])
            cursor.execute("SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang"
                           " WHERE p.proname = 'forecourt_event_insert'")
            (language,) = cursor.fetchone()
        assert _fresh(_row(event_id)) == {"route": "", "request_id": "", "key": "", "status": "pending",
                                          "attempts": 0, "claimed_at": None, "delivered_at": None, "last_error": ""}
        return language

    assert language_and_insert() == "plpgsql"
    try:
        call_command("migrate", "forecourt_events", "0003", verbosity=0)
        assert language_and_insert() == "sql"
    finally:
        call_command("migrate", "forecourt_events", verbosity=0)
    assert language_and_insert() == "plpgsql"
