"""forecourt_core.rows: a raw SELECT's rows as the instances the ORM would build."""
from datetime import timedelta

import pytest
from django.utils import timezone

from forecourt_core.events.models import Event
from forecourt_core.events.services import event_record
from forecourt_core.rows import columns, instances

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_instances_equal_the_orms_every_field_converted():
    event_record(kind="core.tested", data={"amount": "1.50", "nested": {"a": [1, 2]}}, key="k1")
    event = Event.objects.get()
    Event.objects.filter(pk=event.pk).update(claimed_at=timezone.now() - timedelta(hours=1), attempts=3)
    table = Event._meta.db_table
    [read] = instances(Event, f"SELECT {columns(Event)} FROM {table} WHERE id = %s", [event.pk])  # noqa: S608
    expected = Event.objects.get()
    assert _fields(read) == _fields(expected) and read.pk == expected.pk
    assert isinstance(read.data, dict) and read.data["nested"] == {"a": [1, 2]}
    assert not read._state.adding and read._state.db == "default"


def test_instances_with_the_rest_of_the_row_and_a_table_alias():
    event_record(kind="core.tested", data={})
    table = Event._meta.db_table
    rows = instances(Event, f"SELECT {columns(Event, 'e')}, 41 + 1, 'x' FROM {table} e", [], rest=True)  # noqa: S608
    assert [(obj.kind, more) for obj, more in rows] == [("core.tested", (42, "x"))]
    assert instances(Event, f"SELECT {columns(Event)} FROM {table} WHERE kind = %s", ["none.such"]) == []  # noqa: S608
