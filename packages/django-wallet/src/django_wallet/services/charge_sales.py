"""Charge sales: a seller sells prepaid phone charge out of its credit.

A sale is one statement, the ``wallet_charge_sale`` SQL function (migration 0011): it finds the two
accounts, posts through ``wallet_post`` (locks, idempotency, refusals), writes the sale and its
``wallet.charge_sold`` event, and replays a known key with the original sale. It is a transaction of
its own in autocommit. Python validates the input, builds the rows' values and maps refusals to errors.
"""

from __future__ import annotations

import functools
import json
import uuid
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from forecourt_core import phones
from forecourt_core.amounts import validate_amount
from forecourt_core.events.services import event_recorded, event_values
from forecourt_core.rows import stored
from forecourt_core.signals import send_on_commit

from .. import conf
from ..errors import InvalidPhoneNumber, SameAccount
from ..events import (
    CHARGE_SOLD,
    TRANSACTION_POSTED,
    charge_sold_data,
    followed_owner_types,
    follows_transactions,
    transaction_posted_data,
)
from ..models import Account, ChargeSale, Transaction
from ..signals import transaction_posted
from . import idempotency
from .accounts import account_with_system_account, system_account
from .posting import fetch_one, refused


def normalize_phone(phone: str, *, region: str | None = None) -> str:
    """E.164 form of ``phone`` (local numbers read in ``region`` or forecourt_core's), or InvalidPhoneNumber."""
    try:
        return phones.normalize_phone(phone, region=region)
    except phones.InvalidPhone:
        raise InvalidPhoneNumber() from None


def charge_sale_memo(e164: str) -> tuple[str, dict]:
    """A charge sale's transaction memo and metadata (a single sale's and a batch item's)."""
    return f"Charge to {e164}", {"phone": e164}


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
    WALLET_USER_PURPOSE account), into the WALLET_CHARGE_SALES_ACCOUNT system account; both are opened
    on first use. InsufficientFunds when short."""
    if (account is None) == (seller is None):
        raise TypeError("charge_sale_create takes an account or a seller")
    e164 = normalize_phone(phone, region=region)
    value = validate_amount(amount)
    memo, metadata = charge_sale_memo(e164)
    now = timezone.now()
    # Positional, in the models' field order: Model.__init__'s fast path. The function fills in the
    # fingerprint and the sale's account.
    txn = Transaction(uuid.uuid4(), "charge_sale", memo, metadata, idempotency_scope, idempotency_key, "", None, now)
    sale = ChargeSale(uuid.uuid4(), None, None if sold_by is None else sold_by.pk, e164, value, txn.pk, now)
    event_id, event_data, route, request_id = event_values(kind=CHARGE_SOLD, data=charge_sold_data(sale))
    parts = None if idempotency_key is None else idempotency.fingerprint_parts(
        "charge_sale", value, "charge_sale", memo, metadata)
    name = conf.get("WALLET_CHARGE_SALES_ACCOUNT")
    if seller is not None:
        selling = [None, ContentType.objects.get_for_model(seller).pk, str(seller.pk), conf.get("WALLET_USER_PURPOSE")]
    else:
        selling = [account.pk, None, None, None]
    followed = _followed(txn)
    params = [txn.pk, sale.pk, event_id, *selling, name, sale.sold_by_id, e164, value, memo, json.dumps(metadata),
              idempotency_scope, idempotency_key, parts, CHARGE_SOLD, event_data, *followed, route, request_id,
              now]
    row = _sell(params)
    if row[0] == "missing":  # the seller's (or the site's) first sale: open the accounts, then sell
        if seller is not None:
            account_with_system_account(seller, purpose=conf.get("WALLET_USER_PURPOSE"), name=name)
        else:
            system_account(name)
        row = _sell(params)
    # The posting's event is written when a leg's owner type is followed: the seller's (the system account has
    # no owner); an account given by id may be anyone's.
    posted = followed[0] is not None and (seller is None or selling[1] in followed[0])
    return _outcome(row, sale, txn, kinds=[CHARGE_SOLD, TRANSACTION_POSTED] if posted else [CHARGE_SOLD])


def _followed(txn: Transaction) -> list:
    """The followed owner types, their labels, and the posting event's id, kind and data but its entries."""
    if not follows_transactions():
        return [None] * 5
    followed = followed_owner_types()
    event_id, data, _, _ = event_values(kind=TRANSACTION_POSTED, data=transaction_posted_data(txn))
    return [list(followed), list(followed.values()), event_id, TRANSACTION_POSTED, data]


def _outcome(row: tuple, sale: ChargeSale, txn: Transaction, *, kinds: list[str]) -> ChargeSale:
    """The sale the function wrote (with events of ``kinds``) or replayed, or the error of its refusal."""
    outcome, code, message, *columns = row
    txn.fingerprint = columns[7] or ""
    if outcome == "posted":
        sale.account_id = columns[1]
        stored(txn, sale)
        sale.transaction = txn
        send_on_commit(transaction_posted, sender=Transaction, transaction=txn)
        event_recorded(*kinds)
        return sale
    if outcome == "same_account":
        raise SameAccount()
    if outcome == "replayed" and code is None:
        if columns[0] is None:
            raise ChargeSale.DoesNotExist("the key's transaction is no charge sale")
        replayed = ChargeSale(*columns[:7])
        stored(replayed)
        return replayed
    raise refused(outcome, code, message, txn)


@functools.cache
def _sell_sql(placeholder: str = "%s") -> str:
    """The sale's statement, its parameters written as ``placeholder`` (psycopg's ``%s``, or ``%b`` for
    binary parameters, which only a server-bound statement takes)."""
    # The seller's key is cast to the user model's key type: it settles the function's polymorphic argument.
    user_key = ChargeSale._meta.get_field("sold_by").target_field.rel_db_type(connection)
    # Named columns, not ``*``: a prepared statement's result type is fixed (cursors.py).
    sql = ("SELECT outcome, code, message, sale_id, account_id, sold_by_id, phone, amount, transaction_id,"  # noqa: S608
           " created_at, fingerprint"
           " FROM wallet_charge_sale(%s::uuid, %s::uuid, %s::uuid, %s::bigint, %s::integer, %s::text,"
           f" %s::text, %s::text, %s::{user_key}, %s::text, %s::numeric, %s::text, %s::jsonb, %s::text, %s::text,"
           " %s::text[], %s::text, %s::jsonb, %s::integer[], %s::text[], %s::uuid, %s::text, %s::jsonb, %s::text,"
           " %s::text, %s::timestamptz)")
    return sql.replace("%s", placeholder)


def _sell(params: list) -> tuple:
    # A sale's 26 arguments bound by PostgreSQL where the site allows prepared statements (binary: psycopg writes
    # them without text escaping, the fingerprint parts' quotes in their array included).
    return fetch_one(_sell_sql, params)
