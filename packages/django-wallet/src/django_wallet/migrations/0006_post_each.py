"""Batches of postings in one statement (wallet_post_each); the SQL, with its reverse, is in sql/0006_post_each.sql."""
from pathlib import Path

from django.db import migrations

forward, reverse = (Path(__file__).parent / "sql" / "0006_post_each.sql").read_text().split("-- reverse:")


class Migration(migrations.Migration):
    dependencies = [("wallet", "0005_post_function")]

    operations = [migrations.RunSQL(forward, reverse)]
