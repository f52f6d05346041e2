"""wallet_charge_sale: one statement finds both accounts, PL/pgSQL expressions build the posting event's entries
(sql/0015_charge_sale_fewer_statements.sql); 0011's contract. The reverse restores 0011's function."""
from pathlib import Path

from django.db import migrations

SQL = Path(__file__).parent / "sql"
forward = (SQL / "0015_charge_sale_fewer_statements.sql").read_text()
reverse = (SQL / "0011_charge_sale_function.sql").read_text().split("-- reverse:")[0].replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


class Migration(migrations.Migration):
    dependencies = [("wallet", "0014_entry_ids_from_the_database")]

    operations = [migrations.RunSQL(forward, reverse)]
