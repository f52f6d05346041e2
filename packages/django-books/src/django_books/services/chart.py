"""The chart of accounts: a car dealer's default, created on first use, then the accountant's to edit."""
from __future__ import annotations

from django.db import IntegrityError, transaction

from ..errors import AccountInUse, AccountNotFound, DuplicateAccount
from ..models import AccountType, LedgerAccount

A, L, E, N, X = (AccountType.ASSET, AccountType.LIABILITY, AccountType.EQUITY, AccountType.INCOME,
                 AccountType.EXPENSE)

# (code, name, type, role). Automatic postings find their accounts by role.
DEFAULT_CHART = [
    ("1000", "Cash", A, "cash"),
    ("1010", "Wallet", A, "wallet"),
    ("1100", "Receivables", A, "receivables"),
    ("1200", "Vehicle inventory", A, "inventory"),
    ("2000", "Payables", L, "payables"),
    ("2100", "VAT payable", L, "vat_payable"),
    ("2200", "Commissions payable", L, "commissions_payable"),
    ("2300", "Payroll withholdings payable", L, "payroll_withholdings"),
    ("3000", "Owner's equity", E, "equity"),
    ("4000", "Vehicle sales", N, "vehicle_sales"),
    ("4900", "Other income", N, "other_income"),
    ("5000", "Cost of vehicles sold", X, "cost_of_vehicles"),
    ("6000", "Commissions", X, "commissions"),
    ("6100", "Salaries", X, "salaries"),
    ("6900", "Other expenses", X, "other_expenses"),
]
ROLES = frozenset(role for *_, role in DEFAULT_CHART)


def chart_ensure() -> None:
    """Create the default accounts that are missing (by role); an account the accountant edited stays."""
    existing = set(LedgerAccount.objects.filter(role__in=ROLES).values_list("role", flat=True))
    missing = [LedgerAccount(code=code, name=name, type=type_, role=role)
               for code, name, type_, role in DEFAULT_CHART if role not in existing]
    if missing:
        LedgerAccount.objects.bulk_create(missing, ignore_conflicts=True)


def account_by_role(role: str) -> LedgerAccount:
    account = LedgerAccount.objects.filter(role=role).first()
    if account is None:
        chart_ensure()
        account = LedgerAccount.objects.filter(role=role).first()
    if account is None:  # the accountant took the default's code for another account
        raise AccountNotFound(f"The chart of accounts has no account with the role {role!r}.")
    return account


@transaction.atomic
def account_create(*, code: str, name: str, type: str, role: str | None = None) -> LedgerAccount:  # noqa: A002
    try:
        with transaction.atomic():
            return LedgerAccount.objects.create(code=code, name=name, type=type, role=role or None)
    except IntegrityError:
        raise DuplicateAccount() from None


@transaction.atomic
def account_update(*, account: LedgerAccount, **fields) -> LedgerAccount:
    """Rename, renumber, (de)activate, or retype an account that has no lines yet."""
    account = LedgerAccount.objects.select_for_update().get(pk=account.pk)
    if "type" in fields and fields["type"] != account.type and account.lines.exists():
        raise AccountInUse()
    if "role" in fields:
        fields["role"] = fields["role"] or None
    for name, value in fields.items():
        setattr(account, name, value)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise DuplicateAccount() from None
    return account
