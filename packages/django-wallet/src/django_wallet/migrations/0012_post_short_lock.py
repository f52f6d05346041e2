"""wallet_post does less under the accounts' row locks.

The SQL, with its reverse (0007's wallet_post with 0009 and 0010's settings), is in sql/0012_post_short_lock.sql.
Contract and outcomes (their order included) unchanged; the function keeps 0009 and 0010's settings. The
balanced-entries check stays 0002's.
"""
from pathlib import Path

from django.db import migrations

forward, reverse = (Path(__file__).parent / "sql" / "0012_post_short_lock.sql").read_text().split("-- reverse:")


class Migration(migrations.Migration):
    dependencies = [("wallet", "0011_charge_sale_function")]

    operations = [migrations.RunSQL(forward, reverse)]
