from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("forecourt_events", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="key",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.UniqueConstraint(condition=models.Q(("key", ""), _negated=True), fields=("key",),
                                               name="forecourt_event_key_once"),
        ),
    ]
