import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    """Models and migrations agree (fails if a model change has no migration)."""
    call_command("makemigrations", "notifications", "--check", "--dry-run", verbosity=0)


def test_app_label():
    assert apps.get_app_config("notifications").name == "django_notifications"


OLD = ("notifications", "0003_event_source_and_no_schema")


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_carries_every_undelivered_outbox_row_into_the_event_outbox(make_user, settings):
    """Rows of the old OutboxMessage table (0003) become delivery events (0004): no e-mail lost, none doubled."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from forecourt_core.events.models import Event
    from tests.conftest import relay

    settings.FORECOURT_EVENTS_KICK = False
    user = make_user()
    executor = MigrationExecutor(connection)
    executor.migrate([OLD])
    try:
        old = executor.loader.project_state([OLD]).apps
        note = old.get_model("notifications", "Notification").objects.create(
            recipient_id=user.pk, kind="car_purchased", title="Sold")
        outbox = old.get_model("notifications", "OutboxMessage").objects
        for status in ["pending", "queued", "delivered", "failed"]:
            outbox.create(channel="email", status=status, notification_id=note.pk,
                          attempts=9 if status == "failed" else 1, last_error="smtp down" if status == "failed" else "",
                          payload={"to": user.email, "kind": "car_purchased", "subject": f"sold ({status})",
                                   "body": "b", "html": ""})
        push = outbox.create(channel="push", notification_id=note.pk, payload={
            "recipient_id": user.pk, "group": f"notifications.user.{user.pk}", "notification": {"id": note.pk}})
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    carried = {e.data.get("subject", "push"): e for e in Event.objects.filter(kind__startswith="notifications.")}
    assert set(carried) == {"sold (pending)", "sold (queued)", "sold (failed)", "push"}  # not the delivered one
    assert {s: (e.kind, e.status) for s, e in carried.items()} == {
        "sold (pending)": ("notifications.email_due", "pending"),
        "sold (queued)": ("notifications.email_due", "pending"),
        "sold (failed)": ("notifications.email_due", "failed"), "push": ("notifications.push_due", "pending")}
    assert carried["sold (failed)"].last_error == "smtp down"
    assert carried["push"].key == f"notifications.outbox:{push.pk}"
    assert carried["push"].data["kind"] == "car_purchased"

    assert relay() == 3 and relay() == 0  # the relay sends what the old outbox still owed, once
    assert sorted(m.subject for m in mail.outbox) == ["sold (pending)", "sold (queued)"]
