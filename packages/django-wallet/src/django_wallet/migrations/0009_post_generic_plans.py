"""wallet_post plans its statements once per session (``plan_cache_mode = force_generic_plan``).

PL/pgSQL plans a statement with its parameters' values for its first five runs, then keeps a generic
plan only if that plan's estimate is no costlier. For the statements over the posting's arrays it
never is (an array of unknown length is estimated at ten rows against the two a transfer passes), so
every call planned them again, and planning cost more than running them, all of it under the
accounts' row locks. The generic plans are the index scans the custom plans chose. Contract and body
unchanged; a later migration that recreates the function must set this again.
"""
from django.db import migrations

SIGNATURE = "wallet_post(uuid, text, text, jsonb, text, text, text, uuid, bigint[], numeric[], timestamptz)"


class Migration(migrations.Migration):
    dependencies = [("wallet", "0008_drop_post_each")]

    operations = [
        migrations.RunSQL(f"ALTER FUNCTION {SIGNATURE} SET plan_cache_mode = force_generic_plan",
                          f"ALTER FUNCTION {SIGNATURE} RESET plan_cache_mode"),
    ]
