"""Price bars' UPDATE/DELETE refusal moves to forecourt_core's shared refuse-change function."""
from django.db import migrations
from forecourt_core.db import refuse_changes_sql

FORWARD, REVERSE = refuse_changes_sql("trading_pricebar", message="trading_pricebar rows are immutable (%1$s refused)")

DROP_OWN = """
DROP TRIGGER IF EXISTS trading_pricebar_immutable ON trading_pricebar;
DROP FUNCTION IF EXISTS trading_pricebar_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("trading", "0003_resting_order_reservations")]

    operations = [migrations.RunSQL([DROP_OWN, FORWARD], [REVERSE])]
