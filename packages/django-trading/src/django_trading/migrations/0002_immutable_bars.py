"""Price bars are immutable in the database too: a trigger refuses UPDATE and DELETE (TRUNCATE by a
superuser is out of scope)."""
from django.db import migrations

FORWARD = """
CREATE FUNCTION trading_pricebar_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'trading_pricebar rows are immutable (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER trading_pricebar_immutable BEFORE UPDATE OR DELETE ON trading_pricebar
    FOR EACH ROW EXECUTE FUNCTION trading_pricebar_immutable();
"""

REVERSE = """
DROP TRIGGER IF EXISTS trading_pricebar_immutable ON trading_pricebar;
DROP FUNCTION IF EXISTS trading_pricebar_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("trading", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
