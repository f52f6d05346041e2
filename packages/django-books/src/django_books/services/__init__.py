"""Every write of the package (keyword-only, typed, atomic). Import from here."""
from .chart import DEFAULT_CHART, account_by_role, account_create, account_update, chart_ensure
from .journal import Line, closed_through, credit, debit, entry_post, entry_reverse, first_open_day, period_close
from .postings import PayslipAmounts, commission_accrued, commission_paid, payroll_paid, wallet_movement
from .profile import profile_get, profile_update
from .vehicles import sale_post, vat_split, vehicle_cost, vehicle_cost_add

__all__ = [
    "DEFAULT_CHART",
    "Line",
    "PayslipAmounts",
    "account_by_role",
    "account_create",
    "account_update",
    "chart_ensure",
    "closed_through",
    "commission_accrued",
    "commission_paid",
    "credit",
    "debit",
    "entry_post",
    "entry_reverse",
    "first_open_day",
    "payroll_paid",
    "period_close",
    "profile_get",
    "profile_update",
    "sale_post",
    "vat_split",
    "vehicle_cost",
    "vehicle_cost_add",
    "wallet_movement",
]
