"""The e-mail and push outbox becomes events of the kernel's outbox (forecourt_core.events).

Every undelivered ``OutboxMessage`` (pending, queued or failed) is carried over as a
``notifications.email_due`` / ``notifications.push_due`` event with the same payload, so no e-mail
or push is lost in the upgrade; failed rows stay failed (the events admin delivers them again).
Then the table goes. Stop the Celery workers before migrating: a message an old worker still held
for a queued row would otherwise be sent by it and by the relay.
"""
from django.db import migrations
from django.utils import timezone

KINDS = {"email": "notifications.email_due", "push": "notifications.push_due"}


def carry_over(apps, schema_editor):
    OutboxMessage = apps.get_model("notifications", "OutboxMessage")
    Event = apps.get_model("forecourt_events", "Event")
    now = timezone.now()
    batch = []
    rows = OutboxMessage.objects.exclude(status="delivered").select_related("notification").order_by("created_at")
    for row in rows.iterator(chunk_size=1000):
        data = {"kind": row.notification.kind if row.notification else "", **row.payload,
                "notification_id": row.notification_id}
        failed = row.status == "failed"
        batch.append(Event(
            kind=KINDS[row.channel], data=data, key=f"notifications.outbox:{row.pk}",
            status="failed" if failed else "pending", attempts=row.attempts if failed else 0,
            last_error=row.last_error, created_at=row.created_at, available_at=now))
        if len(batch) >= 1000:
            Event.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Event.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0003_event_source_and_no_schema"),
        ("forecourt_events", "0002_event_key"),
    ]

    operations = [
        migrations.RunPython(carry_over, migrations.RunPython.noop, elidable=True),
        migrations.DeleteModel(name="OutboxMessage"),
    ]
