"""Database-held invariants of the books: the checks in sql/0002_invariants.sql (with their reverse), and
the append-only tables through forecourt_core's shared refuse-change triggers (TRUNCATE refused too,
except under the transaction-local ``books.allow_truncate`` that test teardown sets)."""
from pathlib import Path

from django.db import migrations
from forecourt_core.db import refuse_changes

forward, reverse = (Path(__file__).parent / "sql" / "0002_invariants.sql").read_text().split("-- reverse:")

MESSAGE = "books: %1$s on %2$s is not allowed, the books are append-only (post a reversal)"
# (table, trigger name prefix): the journal, period closes, and the vehicle sales and costs they record.
APPEND_ONLY = [("books_journalentry", "books_entry"), ("books_journalline", "books_line"),
               ("books_periodclose", "books_periodclose"), ("books_vehiclesale", "books_vehiclesale"),
               ("books_vehiclecost", "books_vehiclecost")]


class Migration(migrations.Migration):
    dependencies = [("books", "0001_initial")]

    operations = [
        migrations.RunSQL(forward, reverse),
        *(refuse_changes(table, name=name, message=MESSAGE, truncate=True, truncate_escape="books.allow_truncate")
          for table, name in APPEND_ONLY),
        # The counter's row changes are the step trigger's to judge; TRUNCATE is refused here.
        refuse_changes("books_invoicecounter", name="books_invoicecounter", message=MESSAGE, operations=(),
                       truncate=True, truncate_escape="books.allow_truncate"),
    ]
