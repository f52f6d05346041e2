"""Every read that is more than a .get(): lists and payslip access."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import Employee, PayrollRun, Payslip, PayslipLine, SalaryStructure

ZERO = Decimal("0.00")
PAYSLIP_VIEW_PERM = "payroll.view_payslip"


def employee_list(*, department: str = "", status: str = "", search: str = "") -> QuerySet[Employee]:
    qs = Employee.objects.all()
    if department:
        qs = qs.filter(department=department)
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(Q(first_name__icontains=search) | Q(last_name__icontains=search) | Q(position__icontains=search))
    return qs


def salary_history(*, employee: Employee) -> QuerySet[SalaryStructure]:
    """Every salary the employee had, oldest first, with its components."""
    return employee.salaries.prefetch_related("components").order_by("effective_from")


def salary_current(*, employee: Employee, on: dt.date) -> SalaryStructure | None:
    return employee.salaries.filter(effective_from__lte=on).order_by("-effective_from").first()


def run_list(*, status: str = "", kind: str = "") -> QuerySet[PayrollRun]:
    # Newest period first, as the model's ordering says: a grouped query drops Meta.ordering.
    qs = PayrollRun.objects.annotate(payslip_count=Count("payslips")).order_by("-period", "-id")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def payslips_visible_to(user) -> QuerySet[Payslip]:
    """HR/accountants (``payroll.view_payslip``) see every payslip; anyone else only their own, once
    issued (run paid): draft figures may still be recalculated."""
    qs = Payslip.objects.select_related("run", "employee")
    if user.has_perm(PAYSLIP_VIEW_PERM):
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(employee__user=user, run__status=PayrollRun.Status.PAID)


def payslip_list(*, user, run_id: int | None = None, employee_id: int | None = None) -> QuerySet[Payslip]:
    qs = payslips_visible_to(user)
    if run_id:
        qs = qs.filter(run_id=run_id)
    if employee_id:
        qs = qs.filter(employee_id=employee_id)
    return qs.order_by("-run__period", "-run_id", "employee_name")


def payslip_get(*, user, payslip_id: int) -> Payslip | None:
    return (
        payslips_visible_to(user)
        .prefetch_related(Prefetch("lines", queryset=PayslipLine.objects.order_by("position")))
        .filter(pk=payslip_id)
        .first()
    )
