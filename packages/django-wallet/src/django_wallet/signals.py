"""Wallet events, always sent after the database transaction commits (never for a rolled-back one), with
``forecourt_core.signals.send_on_commit``."""

from django.dispatch import Signal

# kwargs: transaction (a posted ``Transaction``). Not sent for an idempotent replay.
transaction_posted = Signal()
# kwargs: credit_request (an approved or rejected ``CreditRequest``).
credit_request_decided = Signal()
