"""``created`` becomes ``created_at``, the name every other package uses. A column rename: the rows
stay, and PostgreSQL's indexes follow the column, so the index changes are the model state's only."""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [
        migrations.RenameField("notification", "created", "created_at"),
        migrations.RenameField("outboxmessage", "created", "created_at"),
        migrations.AlterModelOptions("notification", {"ordering": ["-created_at", "-id"]}),
        migrations.AlterModelOptions("outboxmessage", {"ordering": ["created_at"]}),
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveIndex("notification", "notif_recipient_read_created"),
            migrations.AddIndex("notification", models.Index(
                fields=["recipient", "read_at", "-created_at"], name="notif_recipient_read_created")),
            migrations.RemoveIndex("outboxmessage", "notif_outbox_open"),
            migrations.AddIndex("outboxmessage", models.Index(
                fields=["status", "created_at"], name="notif_outbox_open",
                condition=models.Q(status__in=["pending", "queued"]))),
        ]),
    ]
