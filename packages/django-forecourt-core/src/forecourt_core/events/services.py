"""Recording events, and relaying them to their handlers once."""
from __future__ import annotations

import json
import logging
import operator
import re
import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.core.cache import caches
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .. import context
from ..rows import stored
from . import conf, registry
from .models import Event

logger = logging.getLogger(__name__)

# "<app label>.<what happened>", e.g. "car_listing.car_purchased".
KIND_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
Status = Event.Status


def event_record(*, kind: str, data: dict | None = None, key: str = "") -> Event | None:
    """Record a domain event in the caller's transaction: it exists if and only if the change commits.

    ``data`` is a JSON object (Decimals, dates and UUIDs are stored as strings) holding what handlers
    need without reading the changed rows again. ``key`` (optional, at most 200 characters) names the
    event once: if an event with that key is already recorded, nothing is recorded and None is returned.
    After the commit a relay run is kicked (``events_kick``: a task is sent unless a kicked run already
    waits, which then claims this event too); if the broker is down, the periodic relay delivers it later.
    """
    recorded = event_record_many(kind=kind, data=[data], keys=[key])
    return recorded[0] if recorded else None


def event_record_many(*, kind: str, data: list[dict | None], keys: list[str] | None = None) -> list[Event]:
    """``event_record`` for many events of one kind in one insert; ``keys`` (one per
    item, "" for none) leave out the events already recorded. Returns the events recorded."""
    _check_kind(kind)
    keys = [""] * len(data) if keys is None else list(keys)
    if len(keys) != len(data) or any(not isinstance(k, str) or len(k) > 200 for k in keys):
        raise ValueError("event keys must be strings of at most 200 characters, one per event")
    route, request_id = conf.current_route(), context.request_id.get()
    texts = [_stored_text(item) for item in data]
    events = [Event(kind=kind, data=json.loads(text), route=route, request_id=request_id, key=key)
              for text, key in zip(texts, keys, strict=True)]
    rows = list(zip(events, texts, strict=True))
    wanted = [k for k in keys if k]
    if wanted:
        # Keys already recorded are left out; ON CONFLICT covers a concurrent recorder of the same key.
        known = set(Event.objects.filter(key__in=wanted).values_list("key", flat=True))
        rows = [(e, text) for e, text in rows if not e.key or e.key not in known]
        events = [e for e, _ in rows]
    _insert(rows, ignore_conflicts=bool(wanted))
    if events and conf.get("FORECOURT_EVENTS_KICK"):
        _kick_after_commit([kind])
    return events


def event_values(*, kind: str, data: dict | None = None) -> tuple[uuid.UUID, str, str, str]:
    """For a package whose own SQL writes an event's row through the kernel's ``forecourt_event_insert``
    SQL function (migration 0003, the row's other columns those of a fresh pending event): the new event's
    id, its data as JSON text (stored as ``event_record`` stores it), its route and request id. Once the
    row is written, call ``event_recorded(kind)``."""
    _check_kind(kind)
    return uuid.uuid4(), _stored_text(data), conf.current_route(), context.request_id.get()


def event_insert(*, kind: str, data: dict | None = None, data_sql: str = "%s::jsonb",
                 source: str = "") -> tuple[str, list]:
    """The INSERT (sql, params) of one new event's row, the row ``event_record`` writes, for a package's own
    statement (the event in the same statement as its change, e.g. as one of its CTEs). ``data_sql``: the
    data's expression, its one ``%s`` the JSON text (e.g. ``"%s::jsonb || jsonb_build_object('sale_id',
    sale.id)"``, with ``source`` = ``"sale"``: the row is then ``INSERT ... SELECT ... FROM sale``, one per
    row of ``source``). Once it has run, call ``event_recorded(kind)``."""
    event_id, text, route, request_id = event_values(kind=kind, data=data)
    when = timezone.now()
    event = Event(id=event_id, kind=kind, route=route, request_id=request_id, available_at=when, created_at=when)
    row = _row_sql(data_sql)
    sql = f"{_INSERT_HEAD} SELECT {row} FROM {source}" if source else f"{_INSERT_HEAD} VALUES ({row})"  # noqa: S608
    return sql, _row_params(event, text)


def event_recorded(*kinds: str) -> None:
    """Event rows of ``kinds`` written with ``event_values`` were recorded: kick a relay run after the commit,
    as ``event_record`` does."""
    if not kinds:
        raise TypeError("event_recorded takes the kinds of the events recorded")
    if conf.get("FORECOURT_EVENTS_KICK"):
        _kick_after_commit(kinds)


def _check_kind(kind) -> None:
    if not isinstance(kind, str) or len(kind) > 100 or not KIND_RE.match(kind):
        raise ValueError(f"event kind must look like 'app_label.what_happened', got {kind!r}")


def _kick_after_commit(kinds: Iterable[str]) -> None:
    """One kick per transaction, however many events it records; none for kinds no handler takes.

    An event nobody handles only waits to be marked delivered, which the periodic relay does: a kick would
    cost the commit a cache round trip and a task for nothing. Web processes and workers register the same
    handlers (``_warn_unhandled``), so this process's registry answers for the workers'.

    A savepoint that rolls back drops its own hook, not the connection's mark: a later hook kicks, and a
    mark left with no hook only makes the next transaction's kick happen (a relay run that finds nothing).
    """
    if not any(registry.handlers_for(kind) for kind in kinds):
        return
    conn = transaction.get_connection()
    conn.__dict__["forecourt_events_kick_due"] = True

    def kick() -> None:
        if conn.__dict__.pop("forecourt_events_kick_due", False):
            events_kick()

    transaction.on_commit(kick)


def _stored_text(data: dict | None) -> str:
    """``data`` as the JSON text stored; the event's ``data`` is this text loaded, as it will be read back,
    so a handler of a fresh event and of a retried one sees the same data."""
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ValueError("event data must be a JSON object")
    return json.dumps(data, cls=DjangoJSONEncoder)


# Every column of a new event, in the model's field order. A plain INSERT: bulk_create compiled it at
# several times the cost of the row; nothing listens to an event's save.
_FIELDS = Event._meta.concrete_fields
INSERT_COLUMNS = tuple(f.column for f in _FIELDS)
_INSERT_HEAD = f"INSERT INTO {Event._meta.db_table} ({', '.join(INSERT_COLUMNS)})"  # noqa: S608
_values = operator.attrgetter(*(f.attname for f in _FIELDS))
_DATA = [f.attname for f in _FIELDS].index("data")
_CHUNK = 1000  # rows per statement: 13,000 parameters, well under PostgreSQL's 65,535


def _row_sql(data_sql: str = "%s::jsonb") -> str:
    """One row's values in INSERT_COLUMNS order, the data as ``data_sql``."""
    return ", ".join(data_sql if i == _DATA else "%s" for i in range(len(_FIELDS)))


_ROW = f"({_row_sql()})"


def _row_params(event: Event, text: str) -> list:
    """An unsaved event's row values in INSERT_COLUMNS order, its data the JSON ``text``."""
    params = list(_values(event))
    params[_DATA] = text
    return params


def _insert(rows: list[tuple[Event, str]], *, ignore_conflicts: bool) -> None:
    """INSERT the new ``rows`` (each an unsaved event and its data's JSON text)."""
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    alias = transaction.get_connection().alias
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start:start + _CHUNK]
        params = []
        for e, text in chunk:
            params += _row_params(e, text)
        with transaction.get_connection().cursor() as cursor:
            cursor.execute(f"{_INSERT_HEAD} VALUES " + ", ".join([_ROW] * len(chunk)) + tail, params)
        stored(*(e for e, _ in chunk), alias=alias)


KICK_PENDING_KEY = "forecourt_events:relay_pending"


def events_kick() -> None:
    """Have a relay run deliver every due event soon (the fast path); never raises: beat relays them anyway.

    At most one kicked run waits at a time: a kick that finds the pending mark set sends nothing. The run
    takes the mark before it claims anything (``events_relay``), so an event committed before that is
    claimed by the run, and one committed after it kicks a run of its own: every event still has a run
    after it. The mark expires (FORECOURT_EVENTS_KICK_PENDING_SECONDS) in case its task is lost; without
    the cache, every kick sends its task.
    """
    try:
        if not _cache().add(KICK_PENDING_KEY, 1, timeout=conf.get("FORECOURT_EVENTS_KICK_PENDING_SECONDS")):
            return
    except Exception:  # noqa: BLE001 - any cache backend's connection error: send the task as before
        logger.warning("events: the kick's pending mark is unavailable; sending the relay task", exc_info=True)
    try:
        from .tasks import relay_events

        # A publish retry policy of no retries fails at once on a dead broker (retry=False would still
        # wait out kombu's connection retries, seconds per commit).
        relay_events.apply_async(retry=True, retry_policy={"max_retries": 0})
    except Exception:  # noqa: BLE001 - no Celery, or the broker is down: the periodic relay delivers them
        logger.warning("events: could not send the relay task; the periodic relay will deliver", exc_info=True)
        _take_kick()  # no run is coming: the next commit tries again


def _take_kick() -> None:
    try:
        _cache().delete(KICK_PENDING_KEY)
    except Exception:  # noqa: BLE001 - the mark then expires on its own
        logger.warning("events: could not clear the kick's pending mark", exc_info=True)


def _cache():
    return caches[conf.get("FORECOURT_EVENTS_KICK_CACHE")]


def events_relay(*, limit: int | None = None, ids: Iterable | None = None) -> int:
    """Deliver due events (or only ``ids``), one transaction each; returns how many were delivered.

    Relays may run side by side: each claims an event with SKIP LOCKED and holds its row lock while
    the handlers run, so no event is handled by two relays at once.
    """
    wanted = None if ids is None else [str(i) for i in ids]
    if wanted is None:
        _take_kick()  # before claiming: an event committed from now on kicks a run of its own
    delivered = 0
    for _ in range(limit or conf.get("FORECOURT_EVENTS_BATCH")):
        event = _claim(wanted)
        if event is None:
            return delivered
        delivered += _deliver(event)
    if wanted is None and conf.get("FORECOURT_EVENTS_KICK"):
        events_kick()  # a full batch: more may be due, and their kicks may have found this run pending
    return delivered


def _claim(ids: list[str] | None) -> Event | None:
    now = timezone.now()
    # A claimed row nobody holds locked is an event whose relay died before delivering it.
    lost = now - timedelta(seconds=conf.get("FORECOURT_EVENTS_RECLAIM_AFTER_SECONDS"))
    with transaction.atomic():
        due = Event.objects.select_for_update(skip_locked=True).filter(
            Q(status=Status.PENDING, available_at__lte=now) | Q(status=Status.CLAIMED, claimed_at__lt=lost))
        if ids is not None:
            due = due.filter(pk__in=ids)
        event = due.order_by("available_at").first()
        if event is None:
            return None
        Event.objects.filter(pk=event.pk).update(status=Status.CLAIMED, claimed_at=now, attempts=F("attempts") + 1)
    event.status, event.claimed_at, event.attempts = Status.CLAIMED, now, event.attempts + 1
    return event


def _deliver(event: Event) -> bool:
    """Run the handlers and mark the event delivered in one transaction, in the event's route.

    The handlers run under the request id of the request that recorded the event, so the tasks and
    log lines they cause carry it even when beat, not the commit's kick, relays the event.
    """
    token = context.request_id.set(event.request_id)
    try:
        with conf.route_context(event.route), transaction.atomic():
            # Wait for the row rather than skip it: another relay's claim query may hold it for a moment,
            # and skipping would leave this claimed event undelivered until it is reclaimed.
            held = (Event.objects.select_for_update()
                    .filter(pk=event.pk, status=Status.CLAIMED, claimed_at=event.claimed_at).first())
            if held is None:  # another relay reclaimed it meanwhile
                return False
            handlers = registry.handlers_for(held.kind)
            if not handlers:
                _warn_unhandled(held.kind)
            for handler in handlers:
                handler(held)
            Event.objects.filter(pk=held.pk).update(status=Status.DELIVERED, delivered_at=timezone.now(),
                                                    last_error="")
        return True
    except Exception as exc:  # noqa: BLE001 - any handler error: retried later, the others go on
        logger.exception("events: handling %s %s failed (attempt %d)", event.kind, event.pk, event.attempts)
        _record_failure(event, exc)
        return False
    finally:
        context.request_id.reset(token)


_warned_kinds: set[str] = set()


def _warn_unhandled(kind: str) -> None:
    """A kind nobody handles is delivered as is (normal for a package alone), but a worker missing a
    package's handlers would do the same to events that package needs: say so, once per kind and process."""
    if kind not in _warned_kinds:
        _warned_kinds.add(kind)
        logger.warning("events: no handler registered for %r in this process; its events are marked delivered"
                       " unhandled (workers must run the same code as the web processes)", kind)


def _record_failure(event: Event, error: BaseException) -> None:
    if event.attempts >= conf.get("FORECOURT_EVENTS_MAX_ATTEMPTS"):
        changes = {"status": Status.FAILED}
    else:
        delay = min(conf.get("FORECOURT_EVENTS_BACKOFF_SECONDS") * 2 ** (event.attempts - 1),
                    conf.get("FORECOURT_EVENTS_BACKOFF_MAX_SECONDS"))
        changes = {"status": Status.PENDING, "available_at": timezone.now() + timedelta(seconds=delay)}
    try:
        Event.objects.filter(pk=event.pk, status=Status.CLAIMED, claimed_at=event.claimed_at).update(
            last_error=f"{error!r}"[:2000], **changes)
    except Exception:  # noqa: BLE001 - the database is gone too: the claim expires and the event is reclaimed
        logger.warning("events: could not record the failure of %s", event.pk, exc_info=True)


def events_retry(*, ids: Iterable) -> int:
    """Failed (or stuck) events back to pending with a fresh set of attempts, relayed after commit."""
    wanted = [str(i) for i in ids]
    with transaction.atomic():
        updated = (Event.objects.filter(pk__in=wanted).exclude(status=Status.DELIVERED)
                   .update(status=Status.PENDING, attempts=0, available_at=timezone.now(), claimed_at=None))
        if updated:
            transaction.on_commit(events_kick)
    return updated


def events_purge(*, older_than_days: int | None = None) -> int:
    """Delete delivered events older than FORECOURT_EVENTS_RETENTION_DAYS; the number deleted."""
    days = conf.get("FORECOURT_EVENTS_RETENTION_DAYS") if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = Event.objects.filter(status=Status.DELIVERED, delivered_at__lt=cutoff).delete()
    return deleted
