"""Celery tasks: thin wrappers over services. Default base (tenant-schemas-celery compatible); every
task enters the public store itself, so it works whatever schema header it carries."""
from celery import shared_task

from . import services


@shared_task(name="car_listing.send_purchase_email", acks_late=True, autoretry_for=(Exception,),
             retry_backoff=True, max_retries=8)
def send_purchase_email(notice_id: int) -> bool:
    return services.purchase_email_send(notice_id=notice_id)


@shared_task(name="car_listing.relay_purchase_emails", acks_late=True)
def relay_purchase_emails(grace_seconds: int | None = None) -> int:
    return services.purchase_email_relay(grace_seconds=grace_seconds)


@shared_task(name="car_listing.expire_featured", acks_late=True)
def expire_featured() -> int:
    return services.featured_expire()
