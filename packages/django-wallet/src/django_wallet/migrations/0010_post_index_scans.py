"""wallet_post's plans read the accounts by their index (``enable_seqscan = off`` for the function).

Since 0009 its statements are planned once, generically: an array parameter is estimated at ten
elements, and against an analyzed accounts table of a few thousand rows or fewer that estimate makes
a sequential scan (then a hash join) look cheaper than ten index lookups. Each posting then read the
whole table in each of three statements, under the row locks, at a cost that grows with the table's
dead rows. The function reads and writes a posting's few accounts by key; with sequential scans
priced out its plans are the index scans whatever the statistics say. A table without a usable index
is still scanned. Contract and body unchanged; a later migration that recreates the function must
set this again, as 0009's setting.
"""
from django.db import migrations

SIGNATURE = "wallet_post(uuid, text, text, jsonb, text, text, text, uuid, bigint[], numeric[], timestamptz)"


class Migration(migrations.Migration):
    dependencies = [("wallet", "0009_post_generic_plans")]

    operations = [
        migrations.RunSQL(f"ALTER FUNCTION {SIGNATURE} SET enable_seqscan = off",
                          f"ALTER FUNCTION {SIGNATURE} RESET enable_seqscan"),
    ]
