"""The domain events django-payroll records (forecourt_core.events), each in the transaction of its change.

Kind: ``payroll.run_paid``, with every payslip's employee (and user, when the employee has one)
and net pay.
"""
from forecourt_core.events.services import event_record

from ..models import PayrollRun, Payslip


def record_run_paid(*, run: PayrollRun, payslips: list[Payslip]) -> None:
    event_record(kind="payroll.run_paid", data={
        "run_id": run.pk, "period": run.period, "kind": run.kind, "total_gross": run.total_gross,
        "total_net": run.total_net, "paid_by_id": run.paid_by_id,
        "payslips": [{"payslip_id": slip.pk, "employee_id": slip.employee_id, "user_id": slip.employee.user_id,
                      "employee_name": slip.employee_name, "net": slip.net} for slip in payslips],
    })
