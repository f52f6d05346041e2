"""A paid run is frozen by the database itself, not only by the services."""
import pytest
from django.db import IntegrityError, connection, transaction

from django_payroll import services
from django_payroll.models import PayrollRun, Payslip, PayslipLine


@pytest.fixture
def paid(make_employee, fund, approved_run):
    make_employee(base="1000.00")
    fund("1000.00")
    return services.run_pay(run=approved_run())


@pytest.mark.django_db
@pytest.mark.parametrize("statement", [
    "UPDATE payroll_payslip SET net = 0, gross = 0",
    "DELETE FROM payroll_payslipline",
    "UPDATE payroll_payrollrun SET total_net = 1, total_gross = 1",
    "UPDATE payroll_payrollrun SET status = 'approved'",
    "DELETE FROM payroll_payrollrun",
])
def test_raw_sql_cannot_change_a_paid_run(paid, statement):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    slip = Payslip.objects.get(run=paid)
    assert slip.net == paid.total_net and PayslipLine.objects.filter(payslip=slip).exists()


@pytest.mark.django_db
def test_orm_cannot_add_payslips_to_a_paid_run_but_unpaid_runs_stay_editable(paid, make_employee):
    slip = Payslip.objects.get(run=paid)
    slip.pk = None
    slip.employee = make_employee()
    with pytest.raises(IntegrityError), transaction.atomic():
        slip.save()
    draft = services.run_create(period=paid.period, kind="adjustment")
    assert PayrollRun.objects.filter(pk=draft.pk).update(note="still editable") == 1
    PayrollRun.objects.filter(pk=paid.pk).update(approved_by=None)  # clearing a user link stays possible
