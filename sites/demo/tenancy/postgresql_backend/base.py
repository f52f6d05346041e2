"""django-tenants' PostgreSQL backend, minus two round trips per request.

**ContentType cache.** django-tenants clears Django's ContentType cache on every ``set_tenant`` (each
request switches twice: to public for the host lookup, then to the dealership), because a project
may install contenttypes per schema, where the ids differ. Here contenttypes is a shared app only:
one table, in public, and the same ids from every schema, so the cache stays true. Keeping it
spares each request that looks up a ContentType (the wallet's generic account owners) one query.

**search_path.** ``set_tenant`` forgets which search_path the connection has, so the next query sends
``SET search_path`` again even when the schema did not change: every request on the public host
(the marketplace, wallet, trading API) sent it twice, before and after the host lookup. Switching to
the schema the connection already has keeps what it knows; ROLLBACK and close() still forget it
(django-tenants' own handling).

**SQL scripts.** A migration's RunSQL string goes to PostgreSQL whole (Django's PostgreSQL backend
does not split it). On a Citus coordinator it is split into statements (sqlparse, as Django does for
other databases): Citus sends DDL on to the workers as the statement's text, one statement per command,
so a function and its triggers in one string were refused there (tenancy/citus.py).
"""
import sqlparse
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django_tenants.postgresql_backend import base

if "django.contrib.contenttypes" in getattr(settings, "TENANT_APPS", ()):
    raise ImproperlyConfigured("tenancy.postgresql_backend keeps ContentType ids across schemas, so "
                               "django.contrib.contenttypes must be a shared app only (not in TENANT_APPS)")


class DatabaseOperations(PostgresOperations):
    def prepare_sql_script(self, sql):
        from tenancy import citus  # models are not importable while the backend loads

        if not citus.enabled(self.connection):
            return super().prepare_sql_script(sql)
        return [statement for statement in (sqlparse.format(part, strip_comments=True).strip()
                                            for part in sqlparse.split(sql)) if statement]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def set_tenant(self, tenant, include_public=True):
        same = (getattr(self, "schema_name", None) == tenant.schema_name
                and getattr(self, "include_public_schema", None) == include_public)
        search_path = self.search_path_set_schemas
        kept = dict(ContentType.objects._cache)  # clear_cache() empties this dict, not the per-alias ones
        super().set_tenant(tenant, include_public)
        ContentType.objects._cache.update(kept)
        if same:
            self.search_path_set_schemas = search_path
