"""wallet_post reads the accounts by their index (``enable_seqscan = off`` on the function).

The function reads and writes a posting's few accounts by key. Its generic plans (0009) estimate an
array parameter at ten elements, and against an analyzed accounts table of a few thousand rows or fewer
that estimate makes a sequential scan (then a hash join) look cheaper than ten index lookups: each
posting would read the whole table in three statements, under the row locks. With sequential scans
priced out its plans are index scans whatever the statistics say; a table without a usable index is
still scanned. Contract and body unchanged; a migration that recreates the function must set this
again, as 0009's setting.
"""
from django.db import migrations

SIGNATURE = "wallet_post(uuid, text, text, jsonb, text, text, text, uuid, bigint[], numeric[], timestamptz)"


class Migration(migrations.Migration):
    dependencies = [("wallet", "0009_post_generic_plans")]

    operations = [
        migrations.RunSQL(f"ALTER FUNCTION {SIGNATURE} SET enable_seqscan = off",
                          f"ALTER FUNCTION {SIGNATURE} RESET enable_seqscan"),
    ]
