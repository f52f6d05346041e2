"""wallet_post locks its accounts FOR NO KEY UPDATE and returns a posted row from its output variables.

The SQL, with its reverse (0012's wallet_post), is in sql/0016_post_no_key_lock.sql.
"""
from pathlib import Path

from django.db import migrations

forward, reverse = (Path(__file__).parent / "sql" / "0016_post_no_key_lock.sql").read_text().split("-- reverse:")


class Migration(migrations.Migration):
    dependencies = [("wallet", "0015_charge_sale_fewer_statements")]

    operations = [migrations.RunSQL(forward, reverse)]
