"""Payroll runs: draft -> calculated -> approved -> paid (frozen)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django_books import services as books

from forecourt_core.errors import DomainError
from forecourt_core.signals import send_on_commit

from .. import calculation as calc
from .. import conf
from ..errors import (
    EmptyRun,
    InsufficientFunds,
    InvalidCommission,
    InvalidEmployee,
    InvalidPeriod,
    InvalidTransition,
    MissingPayoutAccount,
    NegativeNet,
    PaymentFailed,
    RunExists,
    RunFrozen,
)
from ..models import (
    ComponentKind,
    Employee,
    PayrollAdjustment,
    PayrollRun,
    Payslip,
    PayslipLine,
    SalaryComponent,
    SalaryStructure,
    TaxBand,
)
from ..signals import payroll_run_paid, payslip_issued
from ._money import money
from .events import record_run_paid

SHORT_BALANCE = "The business account cannot cover the payroll run; nothing was paid."

Status = PayrollRun.Status


def _lock(run: PayrollRun) -> PayrollRun:
    return PayrollRun.objects.select_for_update().get(pk=run.pk)


def _editable(run: PayrollRun) -> None:
    if run.status == Status.PAID:
        raise RunFrozen()
    if run.status == Status.APPROVED:
        raise InvalidTransition("An approved run can only be paid.")


@transaction.atomic
def run_create(*, period: dt.date, kind: str = PayrollRun.Kind.REGULAR, created_by=None, note: str = "") -> PayrollRun:
    """A draft run for the month containing ``period``; one regular run per month (DB-unique)."""
    if not isinstance(period, dt.date) or kind not in PayrollRun.Kind.values:
        raise InvalidPeriod()
    run = PayrollRun(period=period.replace(day=1), kind=kind, created_by=created_by, note=note)
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError as exc:
        if "payroll_run_regular_period_uniq" in str(exc):
            raise RunExists() from None
        raise
    return run


@transaction.atomic
def run_add_adjustment(
    *, run: PayrollRun, employee: Employee, kind: str, amount: Decimal, description: str
) -> PayrollAdjustment:
    """Add a correction to an adjustment run (back to draft: it must be recalculated)."""
    run = _lock(run)
    _editable(run)
    if run.kind != PayrollRun.Kind.ADJUSTMENT:
        raise InvalidTransition("Only adjustment runs take adjustments.")
    if kind not in ComponentKind.values or not description:
        raise InvalidEmployee("An adjustment needs a kind (earning/deduction) and a description.")
    adjustment = PayrollAdjustment.objects.create(
        run=run, employee=employee, kind=kind, amount=money(amount), description=description
    )
    _reset_to_draft(run)
    return adjustment


def _reset_to_draft(run: PayrollRun) -> None:
    run.payslips.all().delete()
    run.status = Status.DRAFT
    run.total_gross = run.total_deductions = run.total_net = Decimal("0")
    run.calculated_at = None
    run.save()


def _commission(employee: Employee, start: dt.date, end: dt.date) -> Decimal:
    value = conf.commission_source()(employee, start, end)
    if not isinstance(value, (Decimal, int)) or isinstance(value, bool):
        raise InvalidCommission()
    value = Decimal(value)
    if not value.is_finite() or value < 0 or value.as_tuple().exponent < -2:
        raise InvalidCommission()
    return value


def _regular_slips(run: PayrollRun) -> list[tuple[Employee, calc.SlipResult]]:
    start, end = calc.month_bounds(run.period)
    employees = (
        Employee.objects.filter(hire_date__lte=end)
        .filter(Q(termination_date__isnull=True) | Q(termination_date__gte=start))
        .prefetch_related(
            Prefetch(
                "salaries",
                queryset=SalaryStructure.objects.filter(effective_from__lte=end).prefetch_related(
                    Prefetch("components", queryset=SalaryComponent.objects.all())
                ),
            )
        )
    )
    bands = [calc.Band(b.lower, b.upper, b.rate) for b in TaxBand.objects.all()]
    slips = []
    for employee in employees:
        structures = [
            calc.Structure(
                effective_from=s.effective_from,
                base_salary=s.base_salary,
                include_commission=s.include_commission,
                components=[calc.Component(c.name, c.kind, c.amount, c.prorate) for c in s.components.all()],
            )
            for s in employee.salaries.all()
        ]
        if not structures:
            continue  # no salary assigned: not on this payroll
        commission = _commission(employee, start, end)
        slip = calc.compute_slip(
            period=run.period,
            hire_date=employee.hire_date,
            termination_date=employee.termination_date,
            structures=structures,
            bands=bands,
            commission=commission,
        )
        if slip is not None:
            slips.append((employee, slip))
    return slips


def _adjustment_slips(run: PayrollRun) -> list[tuple[Employee, calc.SlipResult]]:
    start, end = calc.month_bounds(run.period)
    by_employee: dict[int, tuple[Employee, calc.SlipResult]] = {}
    days = (end - start).days + 1
    for adj in run.adjustments.select_related("employee"):
        _, slip = by_employee.setdefault(adj.employee_id, (adj.employee, calc.SlipResult(days, 0)))
        slip.lines.append(calc.Line(adj.kind, "adjustment", adj.description, adj.amount))
    return list(by_employee.values())


@transaction.atomic
def run_calculate(*, run: PayrollRun) -> PayrollRun:
    """(Re)compute every payslip of a draft or calculated run; the run total is the sum of slips."""
    run = _lock(run)
    _editable(run)
    run.payslips.all().delete()
    slips = _adjustment_slips(run) if run.kind == PayrollRun.Kind.ADJUSTMENT else _regular_slips(run)
    for employee, slip in slips:
        if slip.net < 0:
            raise NegativeNet(f"Deductions exceed earnings for {employee.full_name}.")
        if employee.payout_target == Employee.PayoutTarget.WALLET and employee.user_id is None:
            raise MissingPayoutAccount(f"{employee.full_name} is paid by wallet but has no user.")
    payslips = Payslip.objects.bulk_create(
        Payslip(
            run=run,
            employee=employee,
            employee_name=employee.full_name,
            department=employee.department,
            position=employee.position,
            days_in_period=slip.days_in_period,
            days_paid=slip.days_paid,
            gross=slip.gross,
            total_deductions=slip.total_deductions,
            net=slip.net,
        )
        for employee, slip in slips
    )
    PayslipLine.objects.bulk_create(
        PayslipLine(payslip=payslip, position=i, kind=ln.kind, code=ln.code, name=ln.name[:200], amount=ln.amount)
        for payslip, (_, slip) in zip(payslips, slips, strict=True)
        for i, ln in enumerate(slip.lines)
    )
    run.total_gross = sum((p.gross for p in payslips), Decimal("0"))
    run.total_deductions = sum((p.total_deductions for p in payslips), Decimal("0"))
    run.total_net = sum((p.net for p in payslips), Decimal("0"))
    run.status = Status.CALCULATED
    run.calculated_at = timezone.now()
    run.error_code = run.error_message = ""
    run.save()
    return run


@transaction.atomic
def run_approve(*, run: PayrollRun, approved_by=None) -> PayrollRun:
    """calculated -> approved (the caller checks ``payroll.approve_payrollrun``)."""
    run = _lock(run)
    if run.status == Status.PAID:
        raise RunFrozen()
    if run.status != Status.CALCULATED:
        raise InvalidTransition("Only a calculated run can be approved.")
    if not run.payslips.exists():
        raise EmptyRun()
    run.status = Status.APPROVED
    run.approved_by = approved_by
    run.approved_at = timezone.now()
    run.save()
    return run


def _destination(employee: Employee):
    from django_wallet import services as wallet

    if employee.payout_target == Employee.PayoutTarget.BANK:
        return conf.bank_clearing_account()
    if employee.user_id is None:
        raise MissingPayoutAccount(f"{employee.full_name} is paid by wallet but has no user.")
    return wallet.account_for(employee.user)


def run_pay(*, run: PayrollRun, paid_by=None) -> PayrollRun:
    """Pay every net salary in ONE wallet batch from the business account: all or nothing.

    Paying twice (also concurrently) pays once: the run row is locked, a paid run is returned
    as is, and the wallet transfer carries the idempotency key ``payroll-run:<id>:<attempt>``.
    A short balance pays nothing, records ``error_code="insufficient_funds"`` on the run (that
    write commits) and raises ``InsufficientFunds``.
    """
    from django_wallet import services as wallet

    failure: Exception | None = None
    with transaction.atomic():
        run = _lock(run)
        if run.status == Status.PAID:
            return run
        if run.status != Status.APPROVED:
            raise InvalidTransition("Only an approved run can be paid.")
        payslips = list(run.payslips.select_related("employee", "employee__user").order_by("id"))
        legs = []
        source = conf.business_account()
        for slip in payslips:
            if slip.net > 0:
                legs.append((source, _destination(slip.employee), slip.net))
        if not legs:
            raise EmptyRun()
        try:
            with transaction.atomic():
                txn = wallet.transfer_many(
                    legs=legs,
                    kind="payroll",
                    memo=f"Payroll {run.period:%Y-%m} ({run.kind}) run {run.pk}",
                    metadata={"payroll_run": run.pk, "period": run.period.isoformat(), "kind": run.kind},
                    idempotency_key=f"payroll-run:{run.pk}:{run.pay_attempts}",
                    idempotency_scope="payroll",
                )
        except InsufficientFunds:
            failure, code = InsufficientFunds(SHORT_BALANCE), "insufficient_funds"
        except DomainError as exc:
            code = str(getattr(exc, "code", "") or "payment_failed")
            failure = PaymentFailed(f"The wallet refused the transfer ({code}); nothing was paid.")
        if failure is not None:
            # A fresh key next time: the wallet replays a keyed failure, so the same key would fail again.
            run.pay_attempts += 1
            run.error_code = code
            run.error_message = failure.message[:255]
            run.save(update_fields=["error_code", "error_message", "pay_attempts"])
        else:
            run.status = Status.PAID
            run.paid_at = timezone.now()
            run.paid_by = paid_by
            run.wallet_transaction_id = txn.pk
            run.error_code = run.error_message = ""
            run.save()
            _book(run, payslips)
            record_run_paid(run=run, payslips=payslips)
            _announce_on_commit(run, payslips)
    if failure is not None:
        raise failure
    return run


def _book(run: PayrollRun, payslips: list[Payslip]) -> None:
    """Post the paid run into the books (django-books), in the transaction that pays it, keyed
    ``payroll-run:<id>`` so it is booked once: per payslip its gross is salary expense and its
    deductions are owed to the tax office; the nets leave the books' wallet account with the
    wallet transaction that paid them."""
    books.payroll_paid(
        run_id=run.pk,
        date=timezone.localdate(run.paid_at),
        wallet_transaction_id=str(run.wallet_transaction_id),
        memo=f"Payroll {run.period:%Y-%m} ({run.get_kind_display().lower()}) paid",
        payslips=[books.PayslipAmounts(s.pk, s.gross, s.total_deductions, s.net) for s in payslips],
    )


def _announce_on_commit(run: PayrollRun, payslips: list[Payslip]) -> None:
    send_on_commit(payroll_run_paid, sender=PayrollRun, run=run)
    for slip in payslips:
        send_on_commit(payslip_issued, sender=Payslip, payslip=slip)
