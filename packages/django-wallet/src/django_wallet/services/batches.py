"""Batches: up to ``BATCH_LIMIT`` transfers and charge sales posted in a fixed number of statements.

Each item is a wallet transaction of its own (the same rows a single transfer or charge sale writes),
keyed by the batch's idempotency key and its position, so a retried batch replays every item and
posts none twice. ``all_or_nothing`` rolls every item back when one is refused (and the batch key
then replays that refusal); otherwise each item gets its own outcome.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db import transaction as db_transaction
from django.utils import timezone

from forecourt_core.amounts import validate_amount
from forecourt_core.errors import DomainError, InvalidInput
from forecourt_core.rows import stored
from forecourt_core.signals import send_on_commit

from .. import conf
from ..errors import IdempotencyConflict, SameAccount
from ..events import record_charge_sold, record_transaction_posted
from ..models import Account, ChargeSale, IdempotencyFailure, Transaction
from ..signals import transaction_posted
from . import idempotency
from .accounts import system_account
from .batch_postings import post_rows
from .charge_sales import charge_sale_memo
from .cursors import server_cursor
from .posting import refusal

BATCH_LIMIT = 1000



@dataclass
class BatchItem:
    """One validated item: a transfer (``phone`` empty) or a charge sale to ``phone`` (E.164)."""

    source: Account
    destination: Account
    amount: Decimal
    memo: str = ""
    phone: str = ""
    metadata: dict = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return "charge_sale" if self.phone else "transfer"


@dataclass
class BatchOutcome:
    """What became of one item: its transaction (and charge sale), or the refusal it got."""

    transaction: Transaction | None = None
    charge_sale: ChargeSale | None = None
    error: DomainError | None = None
    replayed: bool = False


class BatchItemRefused(DomainError):
    """Raised for an all-or-nothing batch: one item's refusal (same code), naming the item."""


def charge_sale_item(*, account: Account, phone_e164: str, amount: Decimal) -> BatchItem:
    """A charge sale item out of ``account`` (the same postings, memo and metadata as charge_sale_create)."""
    memo, metadata = charge_sale_memo(phone_e164)
    return BatchItem(source=account, destination=system_account(conf.get("WALLET_CHARGE_SALES_ACCOUNT")),
                     amount=amount, memo=memo, phone=phone_e164, metadata=metadata)


def post_batch(*, items: list[BatchItem | DomainError], idempotency_key: str, idempotency_scope: str = "",
               all_or_nothing: bool = False, sold_by=None) -> list[BatchOutcome]:
    """Post ``items`` in order; one outcome per item. An item may be the DomainError its input got (an
    unknown recipient, a bad amount): it is that item's refusal, or the whole batch's if ``all_or_nothing``."""
    if not 1 <= len(items) <= BATCH_LIMIT:
        raise InvalidInput(f"A batch holds 1 to {BATCH_LIMIT} items.", code="invalid_batch")
    items = [_checked(item) for item in items]
    if all_or_nothing:
        for index, item in enumerate(items):
            if isinstance(item, DomainError):
                raise _item_refused(index, item)
    scope = f"{idempotency_scope}:batch"
    # Item keys stay within the key column whatever the batch key's length.
    prefix = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    rows = {n: _row(item, f"{prefix}#{n}") for n, item in enumerate(items) if isinstance(item, BatchItem)}
    outcomes = [BatchOutcome(error=item if isinstance(item, DomainError) else None) for item in items]
    if not rows:
        return outcomes
    # The mode is part of the fingerprint: the key of an all-or-nothing refusal reused for a
    # per-item batch (or the reverse) is a conflict, not a replay.
    mode = "all_or_nothing" if all_or_nothing else "per_item"
    batch_fingerprint = hashlib.sha256("".join([mode, *(r[5] for r in rows.values())]).encode()).hexdigest()
    idempotency.replay(scope, idempotency_key, batch_fingerprint)  # raises a recorded refusal or a conflict
    try:
        with db_transaction.atomic():
            _post_rows(rows, items, outcomes, scope, all_or_nothing, sold_by)
    except BatchItemRefused as error:
        # A conflict is about the key, not an outcome of it: recording it would make the key's own
        # batch, retried, a conflict too.
        if error.code != IdempotencyConflict.code:
            idempotency.remember_failure(scope, idempotency_key, batch_fingerprint, error)
        raise
    return outcomes


def _checked(item: BatchItem | DomainError) -> BatchItem | DomainError:
    if isinstance(item, DomainError):
        return item
    try:
        item.amount = validate_amount(item.amount)
    except DomainError as error:
        return error
    return SameAccount() if item.source.pk == item.destination.pk else item


def _item_refused(index: int, error: DomainError) -> BatchItemRefused:
    return BatchItemRefused(f"Item {index}: {error.message}", code=error.code, status=error.status,
                            fields={f"items.{index}": [error.code]})


def _row(item: BatchItem, key: str) -> tuple:
    postings = [(item.source.pk, -item.amount), (item.destination.pk, item.amount)]
    fingerprint = idempotency.fingerprint(item.kind, postings, item.kind, item.memo, item.metadata)
    return (uuid.uuid4(), item.kind, item.memo, json.dumps(item.metadata), key, fingerprint,
            item.source.pk, item.destination.pk, item.amount)


def _post_rows(rows: dict, items: list, outcomes: list[BatchOutcome], scope: str, all_or_nothing: bool,
               sold_by) -> None:
    now = timezone.now()
    with connection.cursor(), server_cursor() as cur:
        results = post_rows(cur, rows=rows, scope=scope, now=now)
    posted, replayed, failures = [], {}, []
    for index, outcome, transaction_id, code, message, owners in results:
        row = rows[index]
        if outcome == "posted":
            txn = Transaction(id=transaction_id, kind=row[1], memo=row[2], metadata=items[index].metadata,
                              idempotency_scope=scope, idempotency_key=row[4], fingerprint=row[5], created_at=now)
            stored(txn)
            outcomes[index].transaction = txn
            posted.append(index)
            record_transaction_posted(txn, [(row[6], -row[8]), (row[7], row[8])], accounts=owners)
        elif outcome == "replayed" and code is None:
            replayed[transaction_id] = index
        else:
            error = refusal(code, message)
            if all_or_nothing:
                raise _item_refused(index, error)
            outcomes[index].error, outcomes[index].replayed = error, outcome == "replayed"
            if outcome == "refused" and not isinstance(error, IdempotencyConflict):
                failures.append(IdempotencyFailure(idempotency_scope=scope, idempotency_key=row[4],
                                                   fingerprint=row[5], code=error.code, message=error.message[:500]))
    if failures:  # one statement; ON CONFLICT DO NOTHING as for a single posting
        IdempotencyFailure.objects.bulk_create(failures, ignore_conflicts=True)
    _load_replayed(outcomes, replayed)
    _write_charge_sales(outcomes, items, posted, sold_by)
    for index in posted:
        send_on_commit(transaction_posted, sender=Transaction, transaction=outcomes[index].transaction)


def _load_replayed(outcomes: list[BatchOutcome], replayed: dict) -> None:
    if not replayed:
        return
    sales = {s.transaction_id: s for s in ChargeSale.objects.filter(transaction_id__in=list(replayed))}
    for txn in Transaction.objects.filter(pk__in=list(replayed)):
        index = replayed[txn.pk]
        outcomes[index].transaction, outcomes[index].replayed = txn, True
        outcomes[index].charge_sale = sales.get(txn.pk)


def _write_charge_sales(outcomes: list[BatchOutcome], items: list[BatchItem], posted: list[int], sold_by) -> None:
    sales = [ChargeSale(account=items[i].source, sold_by=sold_by, phone=items[i].phone, amount=items[i].amount,
                        transaction=outcomes[i].transaction) for i in posted if items[i].phone]
    if not sales:
        return
    ChargeSale.objects.bulk_create(sales)
    for sale in sales:
        record_charge_sold(sale)
    by_transaction = {s.transaction_id: s for s in sales}
    for i in posted:
        outcomes[i].charge_sale = by_transaction.get(outcomes[i].transaction.pk)
