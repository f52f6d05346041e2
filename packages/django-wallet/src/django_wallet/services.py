"""Every write to the wallet. All atomic, nestable in a caller's ``transaction.atomic()``.

Concurrency rules: accounts are locked with ``SELECT ... FOR UPDATE`` in ascending id order
(then holds / credit requests), funds are checked under those locks, and idempotency keys are
backed by a unique constraint so that two racing identical requests post once.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection
from django.db import transaction as db_transaction
from django.utils import timezone

from forecourt_core import phones
from forecourt_core.errors import DomainError

from forecourt_core.errors import DomainError

from . import conf
from .amounts import validate_amount
from .errors import (
    AccountFrozen,
    AccountNotFound,
    AlreadyReversed,
    CreditRequestDecided,
    CurrencyMismatch,
    HoldExpired,
    HoldNotActive,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    InvalidPhoneNumber,
    SameAccount,
)
from .events import record_charge_sold, record_credit_request_decided
from .models import Account, ChargeSale, CreditRequest, Hold, IdempotencyFailure, Transaction
from .signals import credit_request_decided, send_on_commit, transaction_posted
from .verification import LedgerReport, verify_ledger  # noqa: F401  (re-exported service)

Posting = tuple[int, Decimal]  # (account id, signed amount)
BALANCE_LIMIT = Decimal(10) ** 16  # numeric(18, 2)


# --- accounts ---------------------------------------------------------------------------------


def _get_or_create(lookup: dict, defaults: dict) -> Account:
    # Race-safe: the unique constraints decide, the loser reads the winner's row.
    account = Account.objects.filter(**lookup).first()
    if account is not None:
        return account
    try:
        with db_transaction.atomic():
            return Account.objects.create(**lookup, **defaults)
    except IntegrityError:
        return Account.objects.get(**lookup)


def account_for(owner, *, purpose: str = "main") -> Account:
    """The account of ``owner`` (any saved model instance) for ``purpose``, created on first use."""
    owner_type = ContentType.objects.get_for_model(owner)
    return _get_or_create({"owner_type": owner_type, "owner_id": str(owner.pk), "purpose": purpose}, {})


def system_account(name: str) -> Account:
    """A named system account ("platform", "topups", "fees", ...); system accounts may overdraw."""
    return _get_or_create({"name": name}, {"allow_overdraft": True})


def open_account(
    *, owner=None, name: str = "", purpose: str = "main", allow_overdraft: bool = False, currency: str | None = None
) -> Account:
    """Create an account (raises IntegrityError if that owner/purpose or name already exists)."""
    fields = {
        "purpose": purpose,
        "allow_overdraft": allow_overdraft,
        "currency": currency or conf.get("WALLET_CURRENCY"),
    }
    if owner is not None:
        fields.update(owner_type=ContentType.objects.get_for_model(owner), owner_id=str(owner.pk))
    else:
        fields["name"] = name
    with db_transaction.atomic():
        return Account.objects.create(**fields)


def account_set_status(*, account: Account, status: str) -> Account:
    """Freeze (no money in or out) or unfreeze an account."""
    if status not in Account.Status.values:
        raise ValueError(f"unknown status {status!r}")
    with db_transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        locked.status = status
        locked.save(update_fields=["status"])
    return locked


# --- posting core -------------------------------------------------------------------------------


def _resolve(account: Account | str) -> Account:
    return system_account(account) if isinstance(account, str) else account


def _fingerprint(op: str, postings: list[Posting], kind: str, memo: str, metadata: dict) -> str:
    body = json.dumps(
        {"op": op, "postings": [[a, str(x)] for a, x in postings], "kind": kind, "memo": memo, "metadata": metadata},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _replay(scope: str, key: str, fingerprint: str) -> Transaction | None:
    """The key's earlier outcome: its transaction, or its refusal raised again (None if the key is new)."""
    existing = Transaction.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
    if existing is None:
        existing = IdempotencyFailure.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
    if existing is not None and existing.fingerprint != fingerprint:
        raise IdempotencyConflict()
    if isinstance(existing, IdempotencyFailure):
        raise DomainError.for_code(existing.code, existing.message)
    return existing


def _remember_failure(scope: str, key: str, fingerprint: str, error: DomainError) -> None:
    # ON CONFLICT DO NOTHING: two identical requests refused at once record one failure, and a
    # savepoint would cost a round trip for nothing.
    IdempotencyFailure.objects.bulk_create(
        [IdempotencyFailure(idempotency_scope=scope, idempotency_key=key, fingerprint=fingerprint,
                            code=error.code, message=error.message[:500])],
        ignore_conflicts=True,
    )


# The posting path uses a few fixed SQL statements instead of ORM queries: compiling the ORM's SQL
# was most of the client CPU per transfer (see bench/wallet_transfers.py).


def _lock_accounts(ids: Iterable[int]) -> dict[int, Account]:
    # ORDER BY id puts the row locks in one global order: no deadlocks between writers.
    rows = Account.objects.raw(
        "SELECT * FROM wallet_account WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [sorted(set(ids))]
    )
    return {a.pk: a for a in rows}


def _held(account_ids: Iterable[int], *, now: datetime | None = None) -> dict[int, Decimal]:
    """Sum of active, unexpired holds per account."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT account_id, SUM(amount) FROM wallet_hold WHERE account_id = ANY(%s) AND status = %s"
            " AND (expires_at IS NULL OR expires_at > %s) GROUP BY account_id",
            [list(account_ids), Hold.Status.ACTIVE, now or timezone.now()],
        )
        return dict(cur.fetchall())


def _post(
    *,
    op: str,
    postings: list[Posting],
    kind: str,
    memo: str = "",
    metadata: dict | None = None,
    idempotency_key: str | None = None,
    idempotency_scope: str = "",
    reverses: Transaction | None = None,
) -> tuple[Transaction, bool]:
    """Post balanced ``postings`` as one transaction. Returns (transaction, created)."""
    metadata = metadata or {}
    fingerprint = ""
    if idempotency_key is not None:
        fingerprint = _fingerprint(op, postings, kind, memo, metadata)
        existing = _replay(idempotency_scope, idempotency_key, fingerprint)
        if existing is not None:
            return existing, False

    try:
        return _post_new(op=op, postings=postings, kind=kind, memo=memo, metadata=metadata,
                         idempotency_key=idempotency_key, idempotency_scope=idempotency_scope,
                         reverses=reverses, fingerprint=fingerprint)
    except DomainError as error:
        # A conflict is about the key, not an outcome of it: nothing to remember.
        if idempotency_key is not None and not isinstance(error, IdempotencyConflict):
            _remember_failure(idempotency_scope, idempotency_key, fingerprint, error)
        raise


def _post_new(
    *,
    op: str,
    postings: list[Posting],
    kind: str,
    memo: str,
    metadata: dict,
    idempotency_key: str | None,
    idempotency_scope: str,
    reverses: Transaction | None,
    fingerprint: str,
) -> tuple[Transaction, bool]:
    with db_transaction.atomic():
        # Insert the transaction before taking the row locks: it needs none, and keeping it out of
        # the locked window shortens the time a hot account stays locked.
        txn = Transaction(
            kind=kind,
            memo=memo,
            metadata=metadata,
            idempotency_scope=idempotency_scope,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            reverses=reverses,
        )
        replayed = _insert_transaction(txn)
        if replayed is not None:
            return replayed, False
        accounts = _lock_accounts(a for a, _ in postings)
        net = _check_postable(accounts, postings)
        balances_after = []
        for account_id, amount in postings:
            accounts[account_id].balance += amount
            balances_after.append(accounts[account_id].balance)
        _write_entries_and_balances(txn, postings, balances_after, {pk: accounts[pk].balance for pk in net})
        send_on_commit(transaction_posted, Transaction, transaction=txn)
    return txn, True


def _insert_transaction(txn: Transaction) -> Transaction | None:
    """Insert ``txn``; if an identical keyed request committed first, return its transaction instead."""
    if txn.idempotency_key is None and txn.reverses is None:
        txn.save()  # nothing unique to collide on: skip the savepoint's two round trips
        return None
    try:
        # Savepoint: an identical request that committed first makes this insert fail; we then
        # return its transaction instead of moving money twice.
        with db_transaction.atomic():
            txn.save()
    except IntegrityError:
        if txn.idempotency_key is not None:
            existing = _replay(txn.idempotency_scope, txn.idempotency_key, txn.fingerprint)
            if existing is not None:
                return existing
        if txn.reverses is not None:
            raise AlreadyReversed() from None
        raise
    return None


def _check_postable(accounts: dict[int, Account], postings: list[Posting]) -> dict[int, Decimal]:
    """Refuse the postings on the locked ``accounts`` (missing, mixed currencies, frozen, short of funds,
    beyond the storable balance); return each account's net change."""
    if len(accounts) != len({a for a, _ in postings}):
        raise AccountNotFound()
    if len({a.currency for a in accounts.values()}) > 1:
        raise CurrencyMismatch()
    if any(a.status == Account.Status.FROZEN for a in accounts.values()):
        raise AccountFrozen()
    net: dict[int, Decimal] = defaultdict(Decimal)
    for account_id, amount in postings:
        net[account_id] += amount
    debited = [pk for pk, x in net.items() if x < 0 and not accounts[pk].allow_overdraft]
    held = _held(debited) if debited else {}
    for pk in debited:
        if accounts[pk].balance + net[pk] - held.get(pk, Decimal(0)) < 0:
            raise InsufficientFunds()
    if any(abs(accounts[pk].balance + x) >= BALANCE_LIMIT for pk, x in net.items()):
        raise InvalidAmount("The balance would exceed the storable maximum.")
    return net


def _write_entries_and_balances(
    txn: Transaction, postings: list[Posting], balances_after: list[Decimal], balances: dict[int, Decimal]
) -> None:
    """Insert the entries and store the new balances in one statement (one round trip under the locks).

    UPDATE ... FROM unnest is linear in the number of accounts (bulk_update's CASE is quadratic).
    """
    with connection.cursor() as cur:
        cur.execute(
            "WITH entries AS ("
            " INSERT INTO wallet_entry (transaction_id, account_id, amount, balance_after, created_at)"
            " SELECT %s, e.account_id, e.amount, e.balance_after, %s"
            " FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[]) WITH ORDINALITY"
            " AS e(account_id, amount, balance_after, n) ORDER BY e.n RETURNING 1)"
            " UPDATE wallet_account AS a SET balance = v.balance"
            " FROM unnest(%s::bigint[], %s::numeric[]) AS v(id, balance) WHERE a.id = v.id",
            [
                txn.pk,
                txn.created_at,
                [a for a, _ in postings],
                [x for _, x in postings],
                balances_after,
                list(balances),
                list(balances.values()),
            ],
        )


def _transfer_postings(legs: Iterable[tuple[Account, Account, object]]) -> list[Posting]:
    postings: list[Posting] = []
    for source, destination, amount in legs:
        value = validate_amount(amount)
        if source.pk == destination.pk:
            raise SameAccount()
        postings += [(source.pk, -value), (destination.pk, value)]
    if not postings:
        raise InvalidAmount("No transfers given.")
    return postings


# --- money movement -----------------------------------------------------------------------------


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
) -> Transaction:
    """Move ``amount`` from ``source`` to ``destination`` (InsufficientFunds if source's available balance is short)."""
    postings = _transfer_postings([(source, destination, amount)])
    return _post(
        op="transfer",
        postings=postings,
        kind=kind,
        memo=memo,
        metadata=metadata,
        idempotency_key=idempotency_key,
        idempotency_scope=idempotency_scope,
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
    postings = _transfer_postings(legs)
    return _post(
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
        source=_resolve(source),
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
        destination=_resolve(destination),
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
        _lock_accounts(a for a, _ in postings)
        if Transaction.objects.filter(reverses=transaction).exists():
            raise AlreadyReversed()
        return _post(
            op="reverse",
            postings=postings,
            kind="reversal",
            memo=memo or f"Reversal of {transaction.pk}",
            metadata={"reverses": str(transaction.pk)},
            reverses=transaction,
        )[0]


# --- holds --------------------------------------------------------------------------------------


def hold(
    *,
    account: Account,
    amount: Decimal,
    expires_at: datetime | None = None,
    memo: str = "",
    metadata: dict | None = None,
) -> Hold:
    """Reserve ``amount`` of the account's available balance until captured, released or expired."""
    value = validate_amount(amount)
    with db_transaction.atomic():
        locked = _lock_accounts([account.pk])[account.pk]
        if locked.status == Account.Status.FROZEN:
            raise AccountFrozen()
        if not locked.allow_overdraft and locked.balance - _held([locked.pk]).get(locked.pk, Decimal(0)) < value:
            raise InsufficientFunds()
        return Hold.objects.create(
            account=locked, amount=value, expires_at=expires_at, memo=memo, metadata=metadata or {}
        )


def _lock_active_hold(hold_obj: Hold, *, extra_accounts: Iterable[int] = ()) -> Hold:
    # Accounts first, then the hold: the same order as every other writer.
    _lock_accounts([hold_obj.account_id, *extra_accounts])
    locked = Hold.objects.select_for_update().get(pk=hold_obj.pk)
    if locked.status != Hold.Status.ACTIVE:
        raise HoldNotActive()
    if locked.expires_at is not None and locked.expires_at <= timezone.now():
        raise HoldExpired()
    return locked


def capture(
    *,
    hold: Hold,
    destination: Account,
    amount: Decimal | None = None,
    kind: str = "capture",
    memo: str = "",
    metadata: dict | None = None,
) -> Transaction:
    """Move the held money (all, or ``amount`` <= held) to ``destination``; any rest is released."""
    value = hold.amount if amount is None else validate_amount(amount)
    if hold.account_id == destination.pk:
        raise SameAccount()
    with db_transaction.atomic():
        locked = _lock_active_hold(hold, extra_accounts=[destination.pk])
        if value > locked.amount:
            raise InvalidAmount("Capture exceeds the held amount.")
        # Finish the hold first so the funds check below no longer subtracts it.
        locked.status, locked.finished_at = Hold.Status.CAPTURED, timezone.now()
        locked.save(update_fields=["status", "finished_at"])
        txn, _ = _post(
            op="capture",
            postings=[(locked.account_id, -value), (destination.pk, value)],
            kind=kind,
            memo=memo,
            metadata={**(metadata or {}), "hold": locked.pk},
        )
        locked.transaction = txn
        locked.save(update_fields=["transaction"])
    hold.status, hold.finished_at, hold.transaction = locked.status, locked.finished_at, txn
    return txn


def release(*, hold: Hold) -> Hold:
    """Give the held funds back to the available balance."""
    with db_transaction.atomic():
        locked = Hold.objects.select_for_update().get(pk=hold.pk)
        if locked.status != Hold.Status.ACTIVE:
            raise HoldNotActive()
        locked.status, locked.finished_at = Hold.Status.RELEASED, timezone.now()
        locked.save(update_fields=["status", "finished_at"])
    return locked


def release_expired_holds(*, now: datetime | None = None) -> int:
    """Mark active holds past their expiry as expired; returns how many."""
    now = now or timezone.now()
    return Hold.objects.filter(status=Hold.Status.ACTIVE, expires_at__lte=now).update(
        status=Hold.Status.EXPIRED, finished_at=now
    )


# --- seller credit and charge sales -------------------------------------------------------------


def credit_request_create(*, account: Account, amount: Decimal, requested_by=None, note: str = "") -> CreditRequest:
    """A seller asks for ``amount`` of credit on ``account``; nothing moves until staff approve."""
    value = validate_amount(amount)
    return CreditRequest.objects.create(account=account, amount=value, requested_by=requested_by, note=note)


def _decide(credit_request: CreditRequest, decided_by, approve: bool) -> CreditRequest:
    with db_transaction.atomic():
        # The row lock serialises racing deciders; the loser sees the decision and raises.
        locked = CreditRequest.objects.select_for_update().get(pk=credit_request.pk)
        if locked.status != CreditRequest.Status.PENDING:
            raise CreditRequestDecided()
        if approve:
            source = system_account(conf.get("WALLET_CREDIT_ACCOUNT"))
            locked.transaction, _ = _post(
                op="credit",
                postings=[(source.pk, -locked.amount), (locked.account_id, locked.amount)],
                kind="credit",
                memo=f"Credit request #{locked.pk}",
                metadata={"credit_request": locked.pk},
                # Belt and braces: even a bypassed status check cannot credit twice.
                idempotency_key=f"credit_request:{locked.pk}",
                idempotency_scope="wallet",
            )
        locked.status = CreditRequest.Status.APPROVED if approve else CreditRequest.Status.REJECTED
        locked.decided_by, locked.decided_at = decided_by, timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at", "transaction"])
        send_on_commit(credit_request_decided, CreditRequest, credit_request=locked)
        record_credit_request_decided(locked)
    return locked


def credit_request_approve(*, credit_request: CreditRequest, decided_by=None) -> CreditRequest:
    """Approve and credit the seller, exactly once (CreditRequestDecided if already decided)."""
    return _decide(credit_request, decided_by, approve=True)


def credit_request_reject(*, credit_request: CreditRequest, decided_by=None) -> CreditRequest:
    """Reject; moves nothing (CreditRequestDecided if already decided)."""
    return _decide(credit_request, decided_by, approve=False)


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
        txn, created = _post(
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
