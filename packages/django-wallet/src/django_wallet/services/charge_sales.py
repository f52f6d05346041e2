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
from .accounts import system_account
from .posting import post


def normalize_phone(phone: str, *, region: str | None = None) -> str:
    """E.164 form of ``phone`` (local numbers read in ``region`` or forecourt_core's), or InvalidPhoneNumber."""
    try:
        return phones.normalize_phone(phone, region=region)
    except phones.InvalidPhone:
        raise InvalidPhoneNumber() from None


def charge_sale_create(
    *,
    account: Account,
    phone: str,
    amount: Decimal,
    sold_by=None,
    region: str | None = None,
    idempotency_key: str | None = None,
    idempotency_scope: str = "",
) -> ChargeSale:
    """Sell prepaid charge to ``phone`` out of the seller's credit (InsufficientFunds when short)."""
    e164 = normalize_phone(phone, region=region)
    value = validate_amount(amount)
    destination = system_account(conf.get("WALLET_CHARGE_SALES_ACCOUNT"))
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
