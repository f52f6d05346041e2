"""Holds: money reserved out of an account's available balance, then captured, released or expired."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import transaction as db_transaction
from django.utils import timezone

from forecourt_core.amounts import validate_amount

from ..errors import AccountFrozen, HoldExpired, HoldNotActive, InsufficientFunds, InvalidAmount, SameAccount
from ..models import Account, Hold, Transaction
from .posting import held_by_account, lock_accounts, post


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
        locked = lock_accounts([account.pk])[account.pk]
        if locked.status == Account.Status.FROZEN:
            raise AccountFrozen()
        held = held_by_account([locked.pk]).get(locked.pk, Decimal(0))
        if not locked.allow_overdraft and locked.balance - held < value:
            raise InsufficientFunds()
        return Hold.objects.create(
            account=locked, amount=value, expires_at=expires_at, memo=memo, metadata=metadata or {}
        )


def _lock_active_hold(hold_obj: Hold, *, extra_accounts: Iterable[int] = ()) -> Hold:
    # Accounts first, then the hold: the same order as every other writer.
    lock_accounts([hold_obj.account_id, *extra_accounts])
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
        txn, _ = post(
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
