"""Settings hooks used by the tests (the site wires its own)."""
from decimal import Decimal

from django_wallet import selectors, services

BUSINESS = "test-dealership"
# employee pk -> commission for any period; tests fill it and clear it.
COMMISSIONS: dict[int, Decimal] = {}


def business_account():
    account = selectors.account_search(name=BUSINESS).first()
    return account or services.open_account(name=BUSINESS, allow_overdraft=False)


def commission(employee, period_start, period_end):
    return COMMISSIONS.get(employee.pk, Decimal("0"))
