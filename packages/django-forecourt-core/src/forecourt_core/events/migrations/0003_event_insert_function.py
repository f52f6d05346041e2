"""forecourt_event_insert: the kernel's writer of one new event row for SQL callers (a package's own SQL
function writing an event with its change), so the event table's columns and defaults stay the kernel's.
The SQL, with its reverse, is in sql/0003_event_insert_function.sql."""
from pathlib import Path

from django.db import migrations

forward, reverse = (Path(__file__).parent / "sql" / "0003_event_insert_function.sql").read_text().split("-- reverse:")


class Migration(migrations.Migration):
    dependencies = [("forecourt_events", "0002_event_key")]

    operations = [migrations.RunSQL(forward, reverse)]
