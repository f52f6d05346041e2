"""Domain signals counted as metrics (connected by tenancy's AppConfig.ready)."""
from django.dispatch import receiver

from django_wallet.signals import transaction_posted

from . import metrics


@receiver(transaction_posted, dispatch_uid="observability.wallet_posting")
def _wallet_posting(sender, transaction, **kwargs) -> None:
    metrics.WALLET_POSTINGS.labels(transaction.kind).inc()
