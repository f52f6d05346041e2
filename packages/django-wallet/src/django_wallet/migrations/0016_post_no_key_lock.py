"""wallet_post locks its accounts FOR NO KEY UPDATE and returns a posted row from its output variables.

The SQL is in sql/0016_post_no_key_lock.sql; the reverse restores 0012's wallet_post.
"""
from pathlib import Path

from django.db import migrations

SQL = Path(__file__).parent / "sql"
forward = (SQL / "0016_post_no_key_lock.sql").read_text()
reverse = (SQL / "0012_post_short_lock.sql").read_text().split("-- reverse:")[0]


class Migration(migrations.Migration):
    dependencies = [("wallet", "0015_charge_sale_fewer_statements")]

    operations = [migrations.RunSQL(forward, reverse)]
