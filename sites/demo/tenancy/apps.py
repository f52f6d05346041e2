from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _citus_reference_tables(sender, using="default", **kwargs) -> None:
    """On a Citus coordinator, once the public schema's migrations are all done: the reference tables.

    After the last app's post_migrate (content types and permissions written): Citus refuses some later
    ALTERs on the tables it converts, so none may come after in the same run (tenancy/citus.py).
    """
    from django.db import connections
    from django_tenants.utils import get_public_schema_name

    from tenancy import citus

    conn = connections[using]
    last = list(apps.get_app_configs())[-1]
    if sender is last and getattr(conn, "schema_name", None) == get_public_schema_name() and citus.enabled(conn):
        citus.shared_tables_distribute()


class TenancyConfig(AppConfig):
    name = "tenancy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_citus_reference_tables, dispatch_uid="tenancy_citus_reference_tables")
