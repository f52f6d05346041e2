"""Celery tasks: thin wrappers over services. Plain shared_task (no custom base), so a site's own
Celery app class applies to them; they read and write only this package's tables."""
from __future__ import annotations

import smtplib

from celery import shared_task

from . import services

EMAIL_RETRYABLE: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError)
PUSH_RETRYABLE: tuple[type[BaseException], ...] = (OSError,)
try:  # channels-redis raises redis-py errors, which are not OSErrors
    from redis.exceptions import RedisError

    PUSH_RETRYABLE += (RedisError,)
except ImportError:  # pragma: no cover - another channel layer
    pass

_COMMON = {"acks_late": True, "reject_on_worker_lost": True, "retry_backoff": True, "retry_backoff_max": 600,
           "retry_jitter": True, "max_retries": 8}


def _run(task, deliver, retryable, outbox_id: str) -> bool:
    try:
        return deliver(outbox_id=outbox_id)
    except Exception as exc:
        # Non-retryable errors, or the last retry, mark the row failed (the admin can retry it).
        final = not isinstance(exc, retryable) or task.request.retries >= task.max_retries
        services.outbox_record_failure(outbox_id=outbox_id, error=exc, final=final)
        raise


@shared_task(bind=True, name="notifications.deliver_email", autoretry_for=EMAIL_RETRYABLE, **_COMMON)
def deliver_email(self, outbox_id: str) -> bool:
    return _run(self, services.deliver_email, EMAIL_RETRYABLE, outbox_id)


@shared_task(bind=True, name="notifications.deliver_push", autoretry_for=PUSH_RETRYABLE, **_COMMON)
def deliver_push(self, outbox_id: str) -> bool:
    return _run(self, services.deliver_push, PUSH_RETRYABLE, outbox_id)


@shared_task(name="notifications.relay_outbox", acks_late=True)
def relay_outbox(limit: int | None = None) -> int:
    """Periodic (beat): hands pending outbox rows to the broker."""
    return services.relay_outbox(limit=limit)


@shared_task(name="notifications.purge_outbox", acks_late=True)
def purge_outbox(older_than_days: int | None = None) -> int:
    """Periodic (daily): deletes delivered outbox rows past NOTIFICATIONS_OUTBOX_RETENTION_DAYS."""
    return services.outbox_purge(older_than_days=older_than_days)
