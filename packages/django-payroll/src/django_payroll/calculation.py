"""Payslip arithmetic: pure functions over plain values, no database access.

Rules (documented in the README):
- The period is a calendar month; pay for days outside employment (joiners, leavers) and
  outside any salary structure is not earned. A structure applies from its ``effective_from``
  until the day before the next one, so a mid-month raise splits the month into segments.
- Each pro-rated amount is ``amount * days / days_in_month`` rounded half-up to the cent,
  per segment and per line; non-pro-rated components come from the last structure in force.
- Commission (from the hook) is added in full. Tax is marginal over the month's gross,
  rounded half-up once. Net = gross - deductions; a negative net is refused.
- Every total is the exact sum of rounded lines, so run totals equal the sum of payslips.
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ONE_DAY = dt.timedelta(days=1)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


@dataclass(frozen=True)
class Component:
    name: str
    kind: str  # "earning" | "deduction"
    amount: Decimal
    prorate: bool = True


@dataclass(frozen=True)
class Structure:
    effective_from: dt.date
    base_salary: Decimal
    components: Sequence[Component] = ()
    include_commission: bool = True


@dataclass(frozen=True)
class Band:
    lower: Decimal
    upper: Decimal | None
    rate: Decimal  # percent


@dataclass
class Line:
    kind: str
    code: str
    name: str
    amount: Decimal


@dataclass
class SlipResult:
    days_in_period: int
    days_paid: int
    lines: list[Line] = field(default_factory=list)

    @property
    def gross(self) -> Decimal:
        return sum((ln.amount for ln in self.lines if ln.kind == "earning"), ZERO)

    @property
    def total_deductions(self) -> Decimal:
        return sum((ln.amount for ln in self.lines if ln.kind == "deduction"), ZERO)

    @property
    def net(self) -> Decimal:
        return self.gross - self.total_deductions


def marginal_tax(gross: Decimal, bands: Iterable[Band]) -> Decimal:
    tax = Decimal(0)
    for band in bands:
        if gross <= band.lower:
            continue
        top = gross if band.upper is None else min(gross, band.upper)
        tax += (top - band.lower) * band.rate / 100
    return cents(tax)


def _segments(structures: Sequence[Structure], start: dt.date, end: dt.date):
    """Yield (structure, first_day, last_day) for each structure in force within [start, end]."""
    ordered = sorted(structures, key=lambda s: s.effective_from)
    for i, structure in enumerate(ordered):
        seg_end = ordered[i + 1].effective_from - ONE_DAY if i + 1 < len(ordered) else end
        first, last = max(start, structure.effective_from), min(end, seg_end)
        if first <= last:
            yield structure, first, last


def compute_slip(
    *,
    period: dt.date,
    hire_date: dt.date,
    termination_date: dt.date | None,
    structures: Sequence[Structure],
    bands: Sequence[Band],
    commission: Decimal = ZERO,
) -> SlipResult | None:
    """The payslip of one employee for the month containing ``period``; None if nothing is earned."""
    month_start, month_end = month_bounds(period)
    month_days = (month_end - month_start).days + 1
    start = max(month_start, hire_date)
    end = min(month_end, termination_date) if termination_date else month_end
    segments = list(_segments(structures, start, end)) if start <= end else []
    if not segments:
        return None
    days_paid = sum((last - first).days + 1 for _, first, last in segments)
    slip = SlipResult(days_in_period=month_days, days_paid=days_paid)
    deductions: list[Line] = []
    for structure, first, last in segments:
        days = (last - first).days + 1
        suffix = "" if days == month_days else f" ({first:%d %b}-{last:%d %b}, {days}/{month_days} days)"
        base = cents(structure.base_salary * days / month_days)
        slip.lines.append(Line("earning", "base", f"Base salary{suffix}", base))
        for comp in structure.components:
            if not comp.prorate:
                continue
            line = _component_line(comp, cents(comp.amount * days / month_days), suffix)
            (slip.lines if comp.kind == "earning" else deductions).append(line)
    for comp in segments[-1][0].components:
        if comp.prorate:
            continue
        line = _component_line(comp, comp.amount, "")
        (slip.lines if comp.kind == "earning" else deductions).append(line)
    if commission and segments[-1][0].include_commission:
        slip.lines.append(Line("earning", "commission", "Commission", commission))
    tax = marginal_tax(slip.gross, bands)
    if tax:
        slip.lines.append(Line("deduction", "tax", "Income tax", tax))
    slip.lines.extend(deductions)
    slip.lines = [ln for ln in slip.lines if ln.amount]
    return slip


def _component_line(comp: Component, amount: Decimal, suffix: str) -> Line:
    code = "allowance" if comp.kind == "earning" else "deduction"
    return Line(comp.kind, code, f"{comp.name}{suffix}", amount)
