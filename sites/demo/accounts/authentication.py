"""The site's JWT authentication: simplejwt's, with the user row read by a statement built once per process.

Every request still reads the user's row (a deactivated or deleted user is refused at once) and the token
is validated by simplejwt itself; only the ORM's per-request query compilation is left out.
"""
from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from forecourt_core import rows


@functools.cache
def _user_statement() -> tuple[str, object]:
    """``SELECT <every column> FROM <users> WHERE <USER_ID_FIELD> = %s`` (forecourt_core.rows' select list)
    and the lookup field."""
    model = get_user_model()
    quote = connection.ops.quote_name
    lookup = model._meta.get_field(api_settings.USER_ID_FIELD)
    sql = (f"SELECT {rows.columns(model)} FROM {quote(model._meta.db_table)}"  # noqa: S608
           f" WHERE {quote(lookup.column)} = %s")
    return sql, lookup


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
        sql, lookup = _user_statement()
        if self.user_model is not lookup.model or not lookup.unique:  # only a unique key names one row
            return super().get_user(validated_token)
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as e:
            raise InvalidToken(_("Token contained no recognizable user identification")) from e
        found = rows.instances(self.user_model, sql, [lookup.get_db_prep_value(user_id, connection)])
        if not found:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        user = found[0]
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
                api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        return user
