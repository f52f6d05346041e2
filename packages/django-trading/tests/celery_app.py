"""The Celery app of the package tests: configured from Django settings (CELERY_*), real Redis broker."""
from celery import Celery

app = Celery("trading_tests")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["forecourt_core.events"])  # the relay, which settles orders
