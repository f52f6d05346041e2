"""Seller credit: a request that staff approve (crediting the seller exactly once) or reject."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction as db_transaction
from django.utils import timezone

from forecourt_core.amounts import validate_amount
from forecourt_core.signals import send_on_commit

from .. import conf
from ..errors import CreditRequestDecided
from ..events import record_credit_request_decided
from ..models import Account, CreditRequest
from ..signals import credit_request_decided
from .accounts import system_account
from .posting import post


def credit_request_create(*, account: Account, amount: Decimal, requested_by=None, note: str = "") -> CreditRequest:
    """A seller asks for ``amount`` of credit on ``account``; nothing moves until staff approve."""
    value = validate_amount(amount)
    return CreditRequest.objects.create(account=account, amount=value, requested_by=requested_by, note=note)


def _approved_with_key(credit_request: CreditRequest, decided_by, key: str | None) -> bool:
    """Whether ``credit_request`` was approved by ``decided_by`` with the client's idempotency ``key``."""
    txn = credit_request.transaction
    return (key is not None and txn is not None and credit_request.decided_by_id == getattr(decided_by, "pk", None)
            and txn.metadata.get("request_key") == key)


def _decide(credit_request: CreditRequest, decided_by, approve: bool, key: str | None = None) -> CreditRequest:
    with db_transaction.atomic():
        # The row lock serialises racing deciders; the loser sees the decision and raises, unless it is
        # the winner's own retry (same decider and key), which gets the decided request again.
        locked = CreditRequest.objects.select_for_update().get(pk=credit_request.pk)
        if locked.status != CreditRequest.Status.PENDING:
            if approve and _approved_with_key(locked, decided_by, key):
                return locked
            raise CreditRequestDecided()
        if approve:
            source = system_account(conf.get("WALLET_CREDIT_ACCOUNT"))
            locked.transaction, _ = post(
                op="credit",
                postings=[(source.pk, -locked.amount), (locked.account_id, locked.amount)],
                kind="credit",
                memo=f"Credit request #{locked.pk}",
                metadata={"credit_request": locked.pk, **({"request_key": key} if key is not None else {})},
                # Belt and braces: even a bypassed status check cannot credit twice.
                idempotency_key=f"credit_request:{locked.pk}",
                idempotency_scope="wallet",
            )
        locked.status = CreditRequest.Status.APPROVED if approve else CreditRequest.Status.REJECTED
        locked.decided_by, locked.decided_at = decided_by, timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at", "transaction"])
        send_on_commit(credit_request_decided, sender=CreditRequest, credit_request=locked)
        record_credit_request_decided(locked)
    return locked


def credit_request_approve(*, credit_request: CreditRequest, decided_by=None,
                           idempotency_key: str | None = None) -> CreditRequest:
    """Approve and credit the seller, exactly once (CreditRequestDecided if already decided, except for the
    approver's retry with the same ``idempotency_key``, which returns the approved request)."""
    return _decide(credit_request, decided_by, approve=True, key=idempotency_key)


def credit_request_reject(*, credit_request: CreditRequest, decided_by=None) -> CreditRequest:
    """Reject; moves nothing (CreditRequestDecided if already decided)."""
    return _decide(credit_request, decided_by, approve=False)
