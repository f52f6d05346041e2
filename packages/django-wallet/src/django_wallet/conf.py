"""Wallet settings, read at call time (never cached at import) so tests and sites can override them."""

from decimal import Decimal

from django.conf import settings

DEFAULTS = {
    # One currency per deployment (ISO 4217).
    "WALLET_CURRENCY": "USD",
    # Amounts must be strictly below this.
    "WALLET_MAX_AMOUNT": Decimal(10) ** 16,
    # System account that funds approved seller credit (may overdraw).
    "WALLET_CREDIT_ACCOUNT": "credit",
    # System account that receives charge sales.
    "WALLET_CHARGE_SALES_ACCOUNT": "charge_sales",
    # Purpose of a user's own account (the one the API shows and transfers from).
    "WALLET_USER_PURPOSE": "main",
    # Statement page size for the API.
    "WALLET_PAGE_SIZE": 50,
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])
