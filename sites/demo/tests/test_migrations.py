"""Every app's models match its migrations, and every schema is migrated."""
import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations_in_any_app():
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


@pytest.mark.django_db
def test_public_and_dealership_schemas_have_no_pending_migrations():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django_tenants.utils import schema_context

    for schema in ("public", "dealer1", "dealer2"):
        with schema_context(schema):
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            pending = [m for m, _ in plan if _app_lives_in(schema, m.app_label)]
            assert pending == [], (schema, pending)


def _app_lives_in(schema: str, app_label: str) -> bool:
    from django.apps import apps
    from django.conf import settings

    module = apps.get_app_config(app_label).name
    return module in (settings.SHARED_APPS if schema == "public" else settings.TENANT_APPS)
