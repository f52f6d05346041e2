"""Settings hooks used by the tests (the site wires its own)."""
from django_wallet import selectors, services

BUSINESS = "test-dealership"


def business_account():
    account = selectors.account_search(name=BUSINESS).first()
    return account or services.open_account(name=BUSINESS, allow_overdraft=False)


def profile_defaults():
    return {"legal_name": "Test Motors Ltd", "address": "1 Forecourt Way", "vat_number": "GB123456789"}
