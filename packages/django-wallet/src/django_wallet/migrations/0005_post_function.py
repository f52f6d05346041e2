"""The posting core as one SQL function (wallet_post); the SQL, with its reverse, is in sql/0005_post_function.sql."""
from pathlib import Path

from django.db import migrations

forward, reverse = (Path(__file__).parent / "sql" / "0005_post_function.sql").read_text().split("-- reverse:")


class Migration(migrations.Migration):
    dependencies = [("wallet", "0004_one_refuse_change_trigger")]

    operations = [migrations.RunSQL(forward, reverse)]
