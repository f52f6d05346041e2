"""wallet_post returns the posted accounts' owners; the SQL, with its reverse, is in sql/0007_post_owners.sql."""
from pathlib import Path

from django.db import migrations

forward, reverse = (Path(__file__).parent / "sql" / "0007_post_owners.sql").read_text().split("-- reverse:")


class Migration(migrations.Migration):
    dependencies = [("wallet", "0006_post_each")]

    operations = [migrations.RunSQL(forward, reverse)]
