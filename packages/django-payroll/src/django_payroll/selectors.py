"""Every read that is more than a .get(): lists, payslip access and financial reports."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from . import conf
from .errors import InvalidDateRange
from .models import Category, Employee, Entry, MonthlyTotal, PayrollRun, Payslip, PayslipLine, SalaryStructure

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
    qs = PayrollRun.objects.annotate(payslip_count=Count("payslips"))
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


def entry_list(
    *, date_from: dt.date | None = None, date_to: dt.date | None = None, kind: str = "", category: str = ""
) -> QuerySet[Entry]:
    qs = _in_range(Entry.objects.select_related("category"), "booked_on", date_from, date_to)
    if kind:
        qs = qs.filter(kind=kind)
    if category:
        qs = qs.filter(category__code=category)
    return qs


def category_list() -> QuerySet[Category]:
    return Category.objects.all()


def _in_range(qs, field: str, date_from, date_to):
    if date_from and date_to and date_from > date_to:
        raise InvalidDateRange()
    if date_from:
        qs = qs.filter(**{f"{field}__gte": date_from})
    if date_to:
        qs = qs.filter(**{f"{field}__lte": date_to})
    return qs


def _sum(field: str = "amount"):
    return Coalesce(Sum(field), ZERO)


def profit_and_loss(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[dict]:
    """Per month: income, expense and profit (income - expense), oldest first. A range of whole months
    (or none: all time, as dashboards ask) reads the trigger-kept MonthlyTotal rows, whatever the size of
    the books; a range cutting a month sums that range's entries."""
    if _whole_months(date_from, date_to):
        rows = (
            _in_range(MonthlyTotal.objects.filter(entries__gt=0), "month", date_from, date_to)
            .values("month")
            .annotate(
                income=Coalesce(Sum("total", filter=Q(kind=Category.Kind.INCOME)), ZERO),
                expense=Coalesce(Sum("total", filter=Q(kind=Category.Kind.EXPENSE)), ZERO),
            )
            .order_by("month")
        )
    else:
        rows = (
            _in_range(Entry.objects.all(), "booked_on", date_from, date_to)
            .annotate(month=TruncMonth("booked_on"))
            .values("month")
            .annotate(
                income=Coalesce(Sum("amount", filter=Q(kind=Category.Kind.INCOME)), ZERO),
                expense=Coalesce(Sum("amount", filter=Q(kind=Category.Kind.EXPENSE)), ZERO),
            )
            .order_by("month")
        )
    return [
        {"month": r["month"].strftime("%Y-%m"), "income": r["income"], "expense": r["expense"],
         "profit": r["income"] - r["expense"]}
        for r in rows
    ]


def _whole_months(date_from: dt.date | None, date_to: dt.date | None) -> bool:
    starts = date_from is None or date_from.day == 1
    ends = date_to is None or (date_to + dt.timedelta(days=1)).day == 1
    return starts and ends


def _by_category(kind: str, date_from, date_to) -> list[dict]:
    rows = (
        _in_range(Entry.objects.filter(kind=kind), "booked_on", date_from, date_to)
        .values("category__code", "category__name")
        .annotate(total=_sum(), count=Count("id"))
        .order_by("-total", "category__code")
    )
    return [{"category": r["category__code"], "name": r["category__name"], "total": r["total"],
             "count": r["count"]} for r in rows]


def revenue_by_source(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[dict]:
    """Income grouped by category (car sales, services, manual categories...)."""
    return _by_category(Category.Kind.INCOME, date_from, date_to)


def expenses_by_category(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[dict]:
    return _by_category(Category.Kind.EXPENSE, date_from, date_to)


def payroll_cost_by_department(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[dict]:
    """Gross, deductions and net of paid payslips by department (as on the slip), periods in range."""
    qs = Payslip.objects.filter(run__status=PayrollRun.Status.PAID)
    if date_from:
        date_from = date_from.replace(day=1)  # a run's period is its month's first day
    qs = _in_range(qs, "run__period", date_from, date_to)
    rows = (
        qs.values("department")
        .annotate(gross=_sum("gross"), deductions=_sum("total_deductions"), net=_sum("net"),
                  payslips=Count("id"))
        .order_by("department")
    )
    return [{"department": r["department"], "gross": r["gross"], "deductions": r["deductions"],
             "net": r["net"], "payslips": r["payslips"]} for r in rows]


def cash_position() -> dict:
    """Balance of the business wallet account (PAYROLL_BUSINESS_ACCOUNT)."""
    from django_wallet import selectors as wallet

    account = conf.business_account()
    return {
        "account": account.pk,
        "balance": wallet.balance(account),
        "available": wallet.available_balance(account),
    }
