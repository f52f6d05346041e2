"""A paid run is frozen in the database too: its payslips and lines refuse INSERT/UPDATE/DELETE,
the run itself refuses DELETE and any change to its status, period, kind, totals or wallet link.
(Clearing the *_by user columns when a user is deleted stays possible.)"""
from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION payroll_refuse_paid_change() RETURNS trigger AS $$
DECLARE
    run_status text;
BEGIN
    IF TG_TABLE_NAME = 'payroll_payrollrun' THEN
        IF OLD.status = 'paid' AND (TG_OP = 'DELETE' OR
            (OLD.status, OLD.period, OLD.kind, OLD.total_gross, OLD.total_deductions, OLD.total_net,
             OLD.wallet_transaction_id) IS DISTINCT FROM
            (NEW.status, NEW.period, NEW.kind, NEW.total_gross, NEW.total_deductions, NEW.total_net,
             NEW.wallet_transaction_id)) THEN
            RAISE EXCEPTION 'payroll run % is paid and frozen', OLD.id USING ERRCODE = '23514';
        END IF;
    ELSIF TG_TABLE_NAME = 'payroll_payslip' THEN
        SELECT status INTO run_status FROM payroll_payrollrun
         WHERE id = CASE WHEN TG_OP = 'INSERT' THEN NEW.run_id ELSE OLD.run_id END;
    ELSE
        SELECT r.status INTO run_status FROM payroll_payslip p JOIN payroll_payrollrun r ON r.id = p.run_id
         WHERE p.id = CASE WHEN TG_OP = 'INSERT' THEN NEW.payslip_id ELSE OLD.payslip_id END;
    END IF;
    IF run_status = 'paid' THEN
        RAISE EXCEPTION 'payslips of a paid payroll run are frozen' USING ERRCODE = '23514';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER payroll_run_frozen BEFORE UPDATE OR DELETE ON payroll_payrollrun
    FOR EACH ROW EXECUTE FUNCTION payroll_refuse_paid_change();
CREATE TRIGGER payroll_payslip_frozen BEFORE INSERT OR UPDATE OR DELETE ON payroll_payslip
    FOR EACH ROW EXECUTE FUNCTION payroll_refuse_paid_change();
CREATE TRIGGER payroll_payslipline_frozen BEFORE INSERT OR UPDATE OR DELETE ON payroll_payslipline
    FOR EACH ROW EXECUTE FUNCTION payroll_refuse_paid_change();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS payroll_payslipline_frozen ON payroll_payslipline;
DROP TRIGGER IF EXISTS payroll_payslip_frozen ON payroll_payslip;
DROP TRIGGER IF EXISTS payroll_run_frozen ON payroll_payrollrun;
DROP FUNCTION IF EXISTS payroll_refuse_paid_change();
"""


class Migration(migrations.Migration):
    dependencies = [("payroll", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
