"""Money movement between accounts: transfers, batches, deposits, withdrawals and reversals."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction as db_transaction

from forecourt_core.amounts import validate_amount

from ..errors import AlreadyReversed, InvalidAmount, SameAccount
from ..models import Account, Transaction
from .accounts import resolve_account
from .posting import Posting, lock_accounts, post


def transfer_postings(legs: Iterable[tuple[Account, Account, object]]) -> list[Posting]:
    """The postings of ``legs`` (source, destination, amount): validated, each leg between two accounts."""
    postings: list[Posting] = []
    for source, destination, amount in legs:
        value, source_id, destination_id = validate_amount(amount), source.pk, destination.pk
        if source_id == destination_id:
            raise SameAccount()
        postings += [(source_id, -value), (destination_id, value)]
    if not postings:
        raise InvalidAmount("No transfers given.")
    return postings


def transfer(
    *,
    source: Account,
    destination: Account,
    amount: Decimal,
    kind: str = "transfer",
    memo: str = "",
    metadata: dict | None = None,
    idempotency_key: str | None = None,
    idempotency_scope: str = "",
    transaction_id: uuid.UUID | None = None,
) -> Transaction:
    """Move ``amount`` from ``source`` to ``destination`` (InsufficientFunds if source's available balance is short).

    ``transaction_id``: as in ``posting.post``."""
    postings = transfer_postings([(source, destination, amount)])
    return post(
        op="transfer",
        postings=postings,
        kind=kind,
        memo=memo,
        metadata=metadata,
        idempotency_key=idempotency_key,
        idempotency_scope=idempotency_scope,
        transaction_id=transaction_id,
    )[0]


def transfer_many(
    *,
    legs: list[tuple[Account, Account, Decimal]],
    kind: str = "batch",
    memo: str = "",
    metadata: dict | None = None,
    idempotency_key: str | None = None,
    idempotency_scope: str = "",
) -> Transaction:
    """All ``legs`` as one transaction: every leg posts or none does (funds are checked on each account's net)."""
    postings = transfer_postings(legs)
    return post(
        op="transfer_many",
        postings=postings,
        kind=kind,
        memo=memo,
        metadata=metadata,
        idempotency_key=idempotency_key,
        idempotency_scope=idempotency_scope,
    )[0]


def deposit(
    *,
    account: Account,
    amount: Decimal,
    source: str | Account = "topups",
    memo: str = "",
    metadata: dict | None = None,
    idempotency_key: str | None = None,
    idempotency_scope: str = "",
) -> Transaction:
    """Credit ``account`` from a system account (by name, default "topups")."""
    return transfer(
        source=resolve_account(source),
        destination=account,
        amount=amount,
        kind="deposit",
        memo=memo,
        metadata=metadata,
        idempotency_key=idempotency_key,
        idempotency_scope=idempotency_scope,
    )


def withdraw(
    *,
    account: Account,
    amount: Decimal,
    destination: str | Account = "payouts",
    memo: str = "",
    metadata: dict | None = None,
    idempotency_key: str | None = None,
    idempotency_scope: str = "",
) -> Transaction:
    """Debit ``account`` into a system account (by name, default "payouts")."""
    return transfer(
        source=account,
        destination=resolve_account(destination),
        amount=amount,
        kind="withdrawal",
        memo=memo,
        metadata=metadata,
        idempotency_key=idempotency_key,
        idempotency_scope=idempotency_scope,
    )


def reverse(*, transaction: Transaction, memo: str = "") -> Transaction:
    """Post the mirror image of ``transaction``. At most once per transaction; a reversal can't be reversed."""
    if transaction.reverses_id is not None:
        raise AlreadyReversed()
    postings = [(e.account_id, -e.amount) for e in transaction.entries.order_by("id")]
    with db_transaction.atomic():
        lock_accounts(a for a, _ in postings)
        if Transaction.objects.filter(reverses=transaction).exists():
            raise AlreadyReversed()
        return post(
            op="reverse",
            postings=postings,
            kind="reversal",
            memo=memo or f"Reversal of {transaction.pk}",
            metadata={"reverses": str(transaction.pk)},
            reverses=transaction,
        )[0]
