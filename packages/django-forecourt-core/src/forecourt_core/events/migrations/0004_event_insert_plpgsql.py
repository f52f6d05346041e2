"""forecourt_event_insert in PL/pgSQL, so a session plans its INSERT once (see sql/0004_event_insert_plpgsql.sql).
The reverse restores 0003's SQL-language function."""
from pathlib import Path

from django.db import migrations

SQL = Path(__file__).parent / "sql"
forward = (SQL / "0004_event_insert_plpgsql.sql").read_text()
reverse = (SQL / "0003_event_insert_function.sql").read_text().split("-- reverse:")[0].replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


class Migration(migrations.Migration):
    dependencies = [("forecourt_events", "0003_event_insert_function")]

    operations = [migrations.RunSQL(forward, reverse)]
