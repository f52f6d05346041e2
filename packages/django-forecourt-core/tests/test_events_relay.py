"""The relay and kinds without a handler: delivered as they are, with one warning per kind and process."""
import logging

import pytest

from forecourt_core.events import registry
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
