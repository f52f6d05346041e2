"""A Celery app on the real Redis broker, so car-listing's on-commit enqueue has somewhere to go."""
from celery import Celery

app = Celery("leads_tests")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.set_default()
