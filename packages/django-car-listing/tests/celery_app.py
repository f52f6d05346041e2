"""The Celery app of the tests: real Redis broker (db number from settings), its own queue."""
from celery import Celery

app = Celery("car_listing_tests")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_default_queue = "car_listing_tests"
app.conf.broker_connection_retry_on_startup = False
