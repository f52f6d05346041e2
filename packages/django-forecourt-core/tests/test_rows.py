"""forecourt_core.rows: a raw SELECT's rows as the instances the ORM would build."""
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import CharField, prefetch_related_objects
from django.utils import timezone

from forecourt_core.events.models import Event
from forecourt_core.events.services import event_record
from forecourt_core.rows import columns, insert_statement, insert_values, instances, prefetched, stored
from forecourt_core.testing.models import User

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


def _run(statement):
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        return cursor.fetchall() if cursor.description else None


def test_an_insert_statement_writes_the_row_save_writes():
    """An auto primary key is left out (RETURNING it), every other field as save() writes it."""
    joined = timezone.now() - timedelta(days=3)
    saved = User(username="saved", email="a@example.com", is_staff=True, date_joined=joined)
    saved.save()
    inserted = User(username="inserted", email="a@example.com", is_staff=True, date_joined=joined)
    [(pk,)] = _run(insert_statement(inserted))
    assert pk != saved.pk
    mine, theirs = _fields(User.objects.get(pk=pk)), _fields(User.objects.get(pk=saved.pk))
    assert {**mine, "id": None, "username": None} == {**theirs, "id": None, "username": None}


def test_a_given_primary_key_and_json_are_written_as_save_writes_them():
    event = Event(kind="core.tested", data={"amount": "1.50", "n": [1]}, key="k")
    [(pk,)] = _run(insert_statement(event))
    assert pk == event.pk and _fields(Event.objects.get()) == _fields(event)


def test_insert_values_pre_save_or_the_instance_as_it_is():
    """With pre_save each value is the field's pre_save (what save() writes); without, the attribute."""
    user = User(username="u")
    columns_, values = insert_values(user, skip={"last_login"})
    assert "id" not in columns_ and "last_login" not in columns_ and columns_[0] == "password"
    calls = []

    class Field(type(User._meta.get_field("username"))):
        def pre_save(self, obj, add):
            calls.append(add)
            return "pre-saved"

    field = Field(max_length=10)
    field.set_attributes_from_name("username")
    assert insert_values(user, fields=[field]) == (["username"], ["pre-saved"]) and calls == [True]
    assert insert_values(user, fields=[field], pre_save=False) == (["username"], ["u"]) and calls == [True]


def test_an_insert_from_a_ctes_rows_with_given_columns_and_more():
    event = Event(kind="core.tested", key="")
    sql, params = insert_statement(event, skip={"kind", "key"}, given={"kind": "src.kind"}, source="src",
                                   more={"key": "k2"}, returning=False)
    assert sql.startswith(f'INSERT INTO "{Event._meta.db_table}" ("kind", "id", "data",') and sql.endswith("FROM src")
    assert _run((f"WITH src AS (SELECT 'core.given' AS kind) {sql}", params)) is None
    stored = Event.objects.get()
    assert (stored.pk, stored.kind, stored.key) == (event.pk, "core.given", "k2")


def test_names_are_quoted_so_a_reserved_word_is_a_column():
    """Table and column names are quoted as the ORM quotes them: "order" and "user" are SQL keywords."""
    order, user = CharField(max_length=10), CharField(max_length=10)
    order.set_attributes_from_name("order")
    user.set_attributes_from_name("user")
    event = Event(kind="core.tested")
    event.order, event.user = "first", "me"
    _run(('CREATE TEMP TABLE "select" ("order" text, "user" text)', []))
    _run(insert_statement(event, fields=[order, user], table="select", pre_save=False, returning=False))
    assert _run(('SELECT "order", "user" FROM "select"', [])) == [("first", "me")]
    assert columns(Event).startswith('"id", "kind"') and columns(Event, "e").startswith('e."id", e."kind"')


def test_prefetched_rows_are_what_djangos_prefetch_stores(django_assert_num_queries):
    """The private cache is written as prefetch_related writes it, and read by Django as prefetched."""
    groups = [Group.objects.create(name="b"), Group.objects.create(name="a")]
    user = User.objects.create(username="u")
    user.groups.set(groups)
    django = User.objects.prefetch_related("groups").get(pk=user.pk)
    mine = User.objects.get(pk=user.pk)
    prefetched(mine, "groups", sorted(groups, key=lambda g: g.pk))
    with django_assert_num_queries(0):
        assert list(mine.groups.all()) == list(django.groups.all())
        prefetch_related_objects([mine], "groups")  # Django sees them as prefetched: no query
    theirs, ours = django._prefetched_objects_cache, mine._prefetched_objects_cache
    assert theirs.keys() == ours.keys() == {"groups"}
    assert type(ours["groups"]) is type(theirs["groups"]) and ours["groups"]._prefetch_done == theirs[
        "groups"]._prefetch_done
    assert ours["groups"]._result_cache == theirs["groups"]._result_cache


def test_stored_marks_a_raw_insert_as_save_leaves_it():
    """An instance a raw INSERT wrote, once ``stored``, saves as an UPDATE of its row, never a second INSERT."""
    group = Group(name="written raw")
    [(group.pk,)] = _run(insert_statement(group))
    assert group._state.adding
    stored(group)
    assert not group._state.adding and group._state.db == connection.alias
    group.name = "renamed"
    group.save()
    assert list(Group.objects.values_list("pk", "name")) == [(group.pk, "renamed")]
