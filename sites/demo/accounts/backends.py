"""Answer `user.has_perm("app.codename")` from the user's role in the current dealership."""
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django_tenants.utils import get_public_schema_name

from accounts.roles import role_grants, role_has_module
from tenancy.selectors import membership_role

_CACHE_ATTR = "_forecourt_roles"


def current_role(user) -> str | None:
    """The user's role in the dealership of the current schema (None on the public schema)."""
    tenant = getattr(connection, "tenant", None)
    if tenant is None or not user or not user.is_authenticated or tenant.schema_name == get_public_schema_name():
        return None
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTR, cache)
    # Keyed by schema: the same user object may be asked under several dealerships.
    if tenant.schema_name not in cache:
        cache[tenant.schema_name] = membership_role(user=user, schema_name=tenant.schema_name)
    return cache[tenant.schema_name]


class DealershipRoleBackend:
    """Grants nothing outside a dealership; inside one, what the role map says."""

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        if not user_obj.is_active:
            return False
        role = current_role(user_obj)
        return bool(role) and role_grants(role, perm)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        role = current_role(user_obj)
        return bool(role) and role_has_module(role, app_label)


class StaffModelBackend(ModelBackend):
    """Django's username/password sign-in; its model permissions (the admin's) for platform staff only.

    Dealership users get their permissions from their role (DealershipRoleBackend); the site grants
    non-staff users no Django permissions, and not looking them up spares every signed-in page the
    two permission queries (user's and groups') ModelBackend runs on the first ``has_perm``.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_staff:
            return set()
        return super().get_all_permissions(user_obj, obj)
