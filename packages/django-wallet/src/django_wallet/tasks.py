"""Thin Celery tasks over the services (both idempotent: running twice has no second effect)."""

import logging

from celery import shared_task

from . import services

log = logging.getLogger(__name__)


@shared_task(name="wallet.release_expired_holds", acks_late=True)
def release_expired_holds() -> int:
    return services.release_expired_holds()


@shared_task(name="wallet.verify_ledger", acks_late=True)
def verify_ledger() -> dict:
    report = services.verify_ledger()
    if not report.ok:
        log.error("wallet ledger verification found %d mismatches: %s", len(report.mismatches), report.mismatches[:20])
    return report.as_dict()
