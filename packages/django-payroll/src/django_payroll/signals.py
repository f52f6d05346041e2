"""Domain events, sent on commit (they announce, never decide)."""
from django.dispatch import Signal

# sender=PayrollRun, run=<PayrollRun>
payroll_run_paid = Signal()
# sender=Payslip, payslip=<Payslip>; sent for every payslip of a run once it is paid
payslip_issued = Signal()
