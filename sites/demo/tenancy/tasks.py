"""Site-level tasks: tenant propagation probe and per-dealership fan-out for periodic work."""
from celery import current_app, shared_task
from django.db import connection
from django_tenants.utils import schema_context


@shared_task(name="tenancy.current_schema")
def current_schema() -> str:
    """Report the schema the worker ran this task in (tenant propagation check)."""
    return connection.schema_name


@shared_task(name="tenancy.for_each_dealership")
def for_each_dealership(task_name: str, include_public: bool = True) -> int:
    """Send `task_name` once per dealership schema (and public), each message carrying its schema.

    Beat runs in public; tenant-schemas-celery reads the schema at send time, so
    sending inside schema_context makes each copy run in its dealership.
    """
    from tenancy.models import Dealership

    schemas = list(Dealership.objects.exclude(schema_name="public").values_list("schema_name", flat=True))
    if include_public:
        schemas.append("public")
    for schema in schemas:
        with schema_context(schema):
            current_app.send_task(task_name)
    return len(schemas)
