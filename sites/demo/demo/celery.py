"""The site's Celery app: every task carries the tenant schema it was sent from.

tenant-schemas-celery copies connection.schema_name into the message headers at
send time and switches the worker's connection to that schema before the task runs.
"""
import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings.dev")

app = CeleryApp("demo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from demo.observability import tasks as _observed  # noqa: E402,F401  (task metrics, request ids in tasks)
