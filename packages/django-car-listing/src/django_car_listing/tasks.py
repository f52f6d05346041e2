"""Celery tasks: thin wrappers over services. Default base (tenant-schemas-celery compatible); every
task enters the public store itself, so it works whatever schema header it carries."""
from celery import shared_task

from . import services


@shared_task(name="car_listing.expire_featured", acks_late=True)
def expire_featured() -> int:
    return services.featured_expire()
