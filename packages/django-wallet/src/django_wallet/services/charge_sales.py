"""Charge sales: a seller sells prepaid phone charge out of its credit."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction as db_transaction

from forecourt_core import phones
from forecourt_core.amounts import validate_amount

from .. import conf
from ..errors import InvalidPhoneNumber, SameAccount
from ..events import record_charge_sold
from ..models import Account, ChargeSale
from .accounts import account_with_system_account, system_account
from .posting import post


def normalize_phone(phone: str, *, region: str | None = None) -> str:
    """E.164 form of ``phone`` (local numbers read in ``region`` or forecourt_core's), or InvalidPhoneNumber."""
    try:
        return phones.normalize_phone(phone, region=region)
    except phones.InvalidPhone:
        raise InvalidPhoneNumber() from None


def charge_sale_create(
    *,
    account: Account | None = None,
    seller=None,
    phone: str,
    amount: Decimal,
    sold_by=None,
    region: str | None = None,
    idempotency_key: str | None = None,
    idempotency_scope: str = "",
) -> ChargeSale:
    """Sell prepaid charge to ``phone`` out of ``account``, or out of ``seller``'s own account (its
    WALLET_USER_PURPOSE account, read with the charge-sales account in one query); InsufficientFunds when short."""
    if (account is None) == (seller is None):
        raise TypeError("charge_sale_create takes an account or a seller")
    e164 = normalize_phone(phone, region=region)
    value = validate_amount(amount)
    name = conf.get("WALLET_CHARGE_SALES_ACCOUNT")
    if seller is not None:
        account, destination = account_with_system_account(seller, purpose=conf.get("WALLET_USER_PURPOSE"), name=name)
    else:
        destination = system_account(name)
    if destination.pk == account.pk:
        raise SameAccount()
    with db_transaction.atomic():
        txn, created = post(
            op="charge_sale",
            postings=[(account.pk, -value), (destination.pk, value)],
            kind="charge_sale",
            memo=f"Charge to {e164}",
            metadata={"phone": e164},
            idempotency_key=idempotency_key,
            idempotency_scope=idempotency_scope,
        )
        if not created:
            return ChargeSale.objects.get(transaction=txn)
        sale = ChargeSale.objects.create(account=account, sold_by=sold_by, phone=e164, amount=value, transaction=txn)
        record_charge_sold(sale)
        return sale
