"""Every write to the wallet. All atomic, nestable in a caller's ``transaction.atomic()``.

Concurrency rules (see ``posting``): accounts are locked in ascending id order, then holds or credit
requests; funds are checked under those locks; an idempotency key posts once.
"""
from ..verification import LedgerReport, verify_ledger
from .accounts import (
    account_for,
    account_for_owner_by,
    account_for_with_owner_by,
    account_set_status,
    accounts_for,
    open_account,
    system_account,
)
from .batches import BATCH_LIMIT, BatchItem, BatchItemRefused, BatchOutcome, charge_sale_item, post_batch
from .charge_sales import charge_sale_create, normalize_phone
from .credit import credit_request_approve, credit_request_create, credit_request_reject
from .holds import capture, hold, release, release_expired_holds
from .transfers import deposit, reverse, transfer, transfer_many, withdraw

__all__ = [
    "account_for", "account_for_owner_by", "account_for_with_owner_by", "accounts_for", "system_account",
    "open_account", "account_set_status",
    "transfer", "transfer_many", "deposit", "withdraw", "reverse",
    "hold", "capture", "release", "release_expired_holds",
    "credit_request_create", "credit_request_approve", "credit_request_reject",
    "post_batch", "BatchItem", "BatchOutcome", "BatchItemRefused", "charge_sale_item", "BATCH_LIMIT",
    "normalize_phone", "charge_sale_create", "verify_ledger", "LedgerReport",
]
