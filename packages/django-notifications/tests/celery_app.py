"""The Celery app of the test suite: the real Redis broker (the tests' db number), shared tasks."""
from celery import Celery

app = Celery("notifications_tests")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(worker_hijack_root_logger=False, broker_connection_retry_on_startup=True)
app.set_default()
