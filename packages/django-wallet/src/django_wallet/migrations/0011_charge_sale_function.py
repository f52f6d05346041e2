"""A charge sale as one SQL function (wallet_charge_sale, over wallet_post); the SQL, with its reverse, is in
sql/0011_charge_sale_function.sql."""
from pathlib import Path

from django.db import migrations

forward, reverse = (Path(__file__).parent / "sql" / "0011_charge_sale_function.sql").read_text().split("-- reverse:")


class Migration(migrations.Migration):
    dependencies = [("wallet", "0010_post_index_scans"), ("forecourt_events", "0003_event_insert_function")]

    operations = [migrations.RunSQL(forward, reverse)]
