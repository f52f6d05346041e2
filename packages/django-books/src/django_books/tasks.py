"""Celery tasks (thin: the work is in the services and the project's hook)."""
from celery import shared_task

from . import conf


@shared_task(name="books.reconcile", acks_late=True)
def reconcile(days: int | None = None) -> dict:
    """Book what the project's on-commit postings lost to a crash (the BOOKS_RECONCILER hook; keyed
    postings make a second booking impossible, so it may run any time)."""
    return conf.reconciler()(days=days)
