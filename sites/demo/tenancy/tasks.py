"""Site-level tasks."""
from celery import shared_task
from django.db import connection


@shared_task(name="tenancy.current_schema", ignore_result=False)  # its caller reads the result
def current_schema() -> str:
    """Report the schema the worker ran this task in (tenant propagation check)."""
    return connection.schema_name


@shared_task(name="books.reconcile")
def books_reconcile(days: int | None = None) -> dict[str, int]:
    """Book what a receiver lost to a crash after its commit, in every dealership (demo/glue/books.py)."""
    from demo.glue import books

    return books.reconcile_all(days=days)
