"""The frozen-run trigger names its tables in its own schema and knows its table by pattern.

A trigger may run where the search_path is not the schema's (a Citus worker runs it on the schema's
shard, whose table is named ``<table>_<shard id>``), so the function reads the run and payslip tables
as ``TG_TABLE_SCHEMA``'s and recognises its table with or without that suffix. Same rules as 0002.
"""
from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION payroll_refuse_paid_change() RETURNS trigger AS $$
DECLARE
    run_status text;
BEGIN
    IF TG_TABLE_NAME ~ '^payroll_payrollrun(_[0-9]+)?$' THEN
        IF OLD.status = 'paid' AND (TG_OP = 'DELETE' OR
            (OLD.status, OLD.period, OLD.kind, OLD.total_gross, OLD.total_deductions, OLD.total_net,
             OLD.wallet_transaction_id) IS DISTINCT FROM
            (NEW.status, NEW.period, NEW.kind, NEW.total_gross, NEW.total_deductions, NEW.total_net,
             NEW.wallet_transaction_id)) THEN
            RAISE EXCEPTION 'payroll run % is paid and frozen', OLD.id USING ERRCODE = '23514';
        END IF;
    ELSIF TG_TABLE_NAME ~ '^payroll_payslip(_[0-9]+)?$' THEN
        EXECUTE format('SELECT status FROM %I.payroll_payrollrun WHERE id = $1', TG_TABLE_SCHEMA)
           INTO run_status USING CASE WHEN TG_OP = 'INSERT' THEN NEW.run_id ELSE OLD.run_id END;
    ELSE
        EXECUTE format('SELECT r.status FROM %1$I.payroll_payslip p JOIN %1$I.payroll_payrollrun r ON r.id = p.run_id'
                       ' WHERE p.id = $1', TG_TABLE_SCHEMA)
           INTO run_status USING CASE WHEN TG_OP = 'INSERT' THEN NEW.payslip_id ELSE OLD.payslip_id END;
    END IF;
    IF run_status = 'paid' THEN
        RAISE EXCEPTION 'payslips of a paid payroll run are frozen' USING ERRCODE = '23514';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("payroll", "0006_remove_income_and_expenses")]
    # Backwards: 0002's function, which reads the same rows.
    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
