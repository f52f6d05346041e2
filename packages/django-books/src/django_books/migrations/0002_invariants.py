"""Database-held invariants of the books; the SQL (with its reverse) lives in sql/0002_invariants.sql."""
from pathlib import Path

from django.db import migrations

forward, reverse = (Path(__file__).parent / "sql" / "0002_invariants.sql").read_text().split("-- reverse:")


class Migration(migrations.Migration):
    dependencies = [("books", "0001_initial")]

    operations = [migrations.RunSQL(forward, reverse)]
