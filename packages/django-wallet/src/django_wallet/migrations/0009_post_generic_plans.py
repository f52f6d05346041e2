"""wallet_post uses generic plans (``plan_cache_mode = force_generic_plan`` on the function).

With the setting, each session plans the function's statements once. Without it, PL/pgSQL plans a
statement with its parameters' values for its first five runs and then keeps the generic plan only if
its estimate is no costlier; for the statements over the posting's arrays (an array parameter is
estimated at ten elements, a transfer passes two) it never is, so every call would plan them again,
under the accounts' row locks. Which plans they get is 0010's concern. Contract and body unchanged; a
migration that recreates the function must set this again. On Citus the site resets the setting:
Citus cannot plan these statements generically (docs/scaling.md).
"""
from django.db import migrations

SIGNATURE = "wallet_post(uuid, text, text, jsonb, text, text, text, uuid, bigint[], numeric[], timestamptz)"


class Migration(migrations.Migration):
    dependencies = [("wallet", "0008_drop_post_each")]

    operations = [
        migrations.RunSQL(f"ALTER FUNCTION {SIGNATURE} SET plan_cache_mode = force_generic_plan",
                          f"ALTER FUNCTION {SIGNATURE} RESET plan_cache_mode"),
    ]
