"""The site's JWT authentication: simplejwt's, with the user row read by a statement built once per process.

Every request still reads the user's row (a deactivated or deleted user is refused at once) and the token
is validated by simplejwt itself; only the ORM's per-request query compilation is left out.
"""
from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password


@functools.cache
def _user_statement():
    """``SELECT <every column> FROM <users> WHERE <USER_ID_FIELD> = %s``: (the database alias, the SQL, the
    concrete fields' attnames in its column order, the lookup field, the converters of columns that have any)."""
    model = get_user_model()
    alias = router.db_for_read(model)
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    lookup = model._meta.get_field(api_settings.USER_ID_FIELD)
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"SELECT {columns} FROM {quote(model._meta.db_table)} WHERE {quote(lookup.column)} = %s"  # noqa: S608
    # The ORM's own conversions of a column's value, where the backend or the field has any.
    converters = []
    for i, field in enumerate(fields):
        col = field.get_col(model._meta.db_table)
        funcs = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        if funcs:
            converters.append((i, col, funcs))
    return alias, sql, [f.attname for f in fields], lookup, converters


def _convert(values: list, converters: list, connection) -> list:
    for i, col, funcs in converters:
        for func in funcs:
            values[i] = func(values[i], col, connection)
    return values


# Where a request's successful JWT authentication is kept for the rest of the request (see ``authenticated``).
_AUTHENTICATED = "_forecourt_jwt_authenticated"


class JWTAuthentication(JWTAuthentication):
    """simplejwt's checks, in its order and with its errors; the row comes from ``_user_statement``."""

    def authenticate(self, request):
        """Once per request: the members-only middleware authenticates a dealership host's API call before its
        DRF view does, and the view is given the same user and token (the row was read for this request)."""
        http_request = getattr(request, "_request", request)  # DRF's Request wraps Django's
        found = getattr(http_request, _AUTHENTICATED, None)
        if found is None:
            found = super().authenticate(request)
            if found is not None:
                setattr(http_request, _AUTHENTICATED, found)
        return found

    def get_user(self, validated_token):
        alias, sql, attnames, lookup, converters = _user_statement()
        if self.user_model is not lookup.model or not lookup.unique:  # only a unique key names one row
            return super().get_user(validated_token)
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as e:
            raise InvalidToken(_("Token contained no recognizable user identification")) from e
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, [lookup.get_db_prep_value(user_id, connection)])
            row = cursor.fetchone()
        if row is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        values = _convert(list(row), converters, connection) if converters else row
        user = self.user_model.from_db(alias, attnames, values)
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
                api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        return user
