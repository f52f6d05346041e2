"""Site-level tasks."""
from celery import shared_task
from django.db import connection


@shared_task(name="tenancy.current_schema", ignore_result=False)  # its caller reads the result
def current_schema() -> str:
    """Report the schema the worker ran this task in (tenant propagation check)."""
    return connection.schema_name
