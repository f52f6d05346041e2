"""wallet_post does less under the accounts' row locks, the balanced-entries check sums a transaction once.

The SQL, with its reverse (0007's wallet_post with 0009 and 0010's settings, 0002's check), is in
sql/0012_post_short_lock.sql. Contract and outcomes unchanged; the function keeps 0009 and 0010's settings.
"""
from pathlib import Path

from django.db import migrations

forward, reverse = (Path(__file__).parent / "sql" / "0012_post_short_lock.sql").read_text().split("-- reverse:")


class Migration(migrations.Migration):
    dependencies = [("wallet", "0011_charge_sale_function")]

    operations = [migrations.RunSQL(forward, reverse)]
