"""The domain events django-wallet records (forecourt_core.events), each in the transaction of its change.

Kinds: ``wallet.credit_request_decided`` (``status`` approved or rejected), ``wallet.charge_sold`` and
``wallet.transaction_posted`` (only for transactions moving an account whose owner's model is listed in
WALLET_TRANSACTION_EVENT_OWNERS).
"""
from collections import defaultdict
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from forecourt_core.events.services import event_record

from . import conf
from .models import Account, ChargeSale, CreditRequest, Transaction


def record_credit_request_decided(credit_request: CreditRequest) -> None:
    event_record(kind="wallet.credit_request_decided", data={
        "credit_request_id": credit_request.pk, "account_id": credit_request.account_id,
        "requested_by_id": credit_request.requested_by_id, "decided_by_id": credit_request.decided_by_id,
        "status": credit_request.status, "amount": credit_request.amount,
    })


CHARGE_SOLD = "wallet.charge_sold"


def charge_sold_data(sale: ChargeSale) -> dict:
    """The data of a sale's ``wallet.charge_sold`` event (also written by the wallet_charge_sale SQL function)."""
    return {"charge_sale_id": sale.pk, "account_id": sale.account_id, "sold_by_id": sale.sold_by_id,
            "phone": sale.phone, "amount": sale.amount, "transaction_id": sale.transaction_id}


def record_charge_sold(sale: ChargeSale) -> None:
    event_record(kind=CHARGE_SOLD, data=charge_sold_data(sale))


def follows_transactions() -> bool:
    """Whether a site follows some owners' accounts (WALLET_TRANSACTION_EVENT_OWNERS)."""
    return bool(conf.get("WALLET_TRANSACTION_EVENT_OWNERS"))


TRANSACTION_POSTED = "wallet.transaction_posted"


def followed_owner_types() -> dict[int, str]:
    """``{content type id: label}`` of the owners' models a site follows (WALLET_TRANSACTION_EVENT_OWNERS)."""
    return {ContentType.objects.get_by_natural_key(*label.lower().split(".")).pk: label
            for label in conf.get("WALLET_TRANSACTION_EVENT_OWNERS")}


def transaction_posted_data(txn: Transaction) -> dict:
    """A posting's ``wallet.transaction_posted`` data but its ``entries`` (also written by wallet_charge_sale)."""
    return {"transaction_id": txn.pk, "kind": txn.kind, "memo": txn.memo, "created_at": txn.created_at}


def record_transaction_posted(txn: Transaction, postings, *, accounts=None) -> None:
    """``wallet.transaction_posted`` with the net movement of each followed account: ``entries`` of
    ``account_id``, ``owner`` (its model's label), ``owner_id`` and ``amount`` (signed). Without
    followed owners nothing is read. ``accounts`` are the posted accounts' (id, owner_type_id, owner_id)
    as wallet_post returns them; without them, one query finds the posting's followed accounts."""
    if not follows_transactions():
        return
    followed = followed_owner_types()
    if accounts is None:
        accounts = Account.objects.filter(pk__in={pk for pk, _ in postings}, owner_type__in=followed).values_list(
            "pk", "owner_type", "owner_id")
    owners = {pk: (followed[type_id], owner_id) for pk, type_id, owner_id in accounts if type_id in followed}
    if not owners:
        return
    moved: dict[int, Decimal] = defaultdict(Decimal)
    for account_id, amount in postings:
        if account_id in owners:
            moved[account_id] += amount
    event_record(kind=TRANSACTION_POSTED, data={
        **transaction_posted_data(txn),
        "entries": [{"account_id": pk, "owner": owners[pk][0], "owner_id": owners[pk][1], "amount": amount}
                    for pk, amount in moved.items()],
    })
