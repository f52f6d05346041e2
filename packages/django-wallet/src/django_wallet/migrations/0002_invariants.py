"""Database-held ledger invariants; the SQL (with its reverse) lives in sql/0002_invariants.sql."""
from pathlib import Path

from django.db import migrations

forward, reverse = (Path(__file__).parent / "sql" / "0002_invariants.sql").read_text().split("-- reverse:")


class Migration(migrations.Migration):
    dependencies = [("wallet", "0001_initial")]

    operations = [migrations.RunSQL(forward, reverse)]
