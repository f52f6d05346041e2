"""Wallet events, always sent after the database transaction commits (never for a rolled-back one)."""

from django.db import transaction as db_transaction
from django.dispatch import Signal

# kwargs: transaction (a posted ``Transaction``). Not sent for an idempotent replay.
transaction_posted = Signal()
# kwargs: credit_request (an approved or rejected ``CreditRequest``).
credit_request_decided = Signal()


def send_on_commit(signal: Signal, sender, **kwargs) -> None:
    db_transaction.on_commit(lambda: signal.send(sender=sender, **kwargs))
