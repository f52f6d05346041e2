"""The append-only triggers move to forecourt_core's shared refuse-change functions (the trigger
names stay); the deferred balanced-at-commit trigger of 0002 stays as it is."""
from django.db import migrations
from forecourt_core.db import refuse_changes_sql

MESSAGE = "wallet: %1$s on %2$s is not allowed, the ledger is append-only"
TABLES = ("wallet_entry", "wallet_transaction")

DROP_OWN = """
DROP TRIGGER IF EXISTS wallet_transaction_no_truncate ON wallet_transaction;
DROP TRIGGER IF EXISTS wallet_entry_no_truncate ON wallet_entry;
DROP TRIGGER IF EXISTS wallet_transaction_append_only ON wallet_transaction;
DROP TRIGGER IF EXISTS wallet_entry_append_only ON wallet_entry;
DROP FUNCTION IF EXISTS wallet_refuse_truncate();
DROP FUNCTION IF EXISTS wallet_refuse_change();
"""


def _sql(direction: int) -> list[str]:
    return [refuse_changes_sql(table, message=MESSAGE, truncate=True, truncate_escape="wallet.allow_truncate")[direction]
            for table in TABLES]


class Migration(migrations.Migration):
    dependencies = [("wallet", "0003_idempotency_failure")]

    # Reversing leaves the ledger without append-only triggers until 0002 is reversed too.
    operations = [migrations.RunSQL([DROP_OWN, *_sql(0)], _sql(1))]
