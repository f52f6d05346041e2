"""The domain events django-wallet records (forecourt_core.events), each in the transaction of its change.

Kinds: ``wallet.credit_request_decided`` (``status`` approved or rejected) and ``wallet.charge_sold``.
"""
from forecourt_core.events.services import event_record

from .models import ChargeSale, CreditRequest


def record_credit_request_decided(credit_request: CreditRequest) -> None:
    event_record(kind="wallet.credit_request_decided", data={
        "credit_request_id": credit_request.pk, "account_id": credit_request.account_id,
        "requested_by_id": credit_request.requested_by_id, "decided_by_id": credit_request.decided_by_id,
        "status": credit_request.status, "amount": credit_request.amount,
    })


def record_charge_sold(sale: ChargeSale) -> None:
    event_record(kind="wallet.charge_sold", data={
        "charge_sale_id": sale.pk, "account_id": sale.account_id, "sold_by_id": sale.sold_by_id,
        "phone": sale.phone, "amount": sale.amount, "transaction_id": sale.transaction_id,
    })
