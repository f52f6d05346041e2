"""Ready-made setting hooks for a django-tenants site (nothing here imports django-tenants).

    NOTIFICATIONS_SCHEMA_NAME = "django_notifications.hooks.connection_schema_name"
    NOTIFICATIONS_GROUP_PREFIX = "django_notifications.hooks.schema_group_prefix"   # optional

The inbox lives in the shared schema and users are global, so a per-user group without a prefix
already keeps users apart; the prefix only scopes live pushes to the host the user is on.
"""
from __future__ import annotations

from django.db import connection


def connection_schema_name() -> str:
    """The schema of the current connection (django-tenants sets it); "" on plain PostgreSQL."""
    return getattr(connection, "schema_name", "") or ""


def schema_group_prefix(*, scope: dict | None = None, schema_name: str | None = None) -> str:
    """ "t.<schema>." from the websocket scope's tenant, or from the outbox row's schema."""
    if scope is not None:
        schema_name = getattr(scope.get("tenant"), "schema_name", "")
    return f"t.{schema_name}." if schema_name else ""
