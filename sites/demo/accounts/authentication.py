"""The site's JWT authentication: simplejwt's, with the user row read by a statement built once per process
and an access token's validation remembered per process.

Every request still reads the user's row, so a deactivated or deleted user (or a changed password, when
``CHECK_REVOKE_TOKEN`` is on) is refused at once. What is remembered is only simplejwt's verdict on the
token's bytes (signature, decoding, claims), which cannot change for the same bytes and the same key; the
expiry, the one claim that changes with time, is checked again on every use. A client sends the same
access token on every request for the token's life, and validating it again is a large part of what
authenticating it costs in Python. The key is the exact raw token, signature included (nobody can make a
matching key without the signing key), with the token backend that verified it.
"""
from __future__ import annotations

import functools
import threading
from collections import OrderedDict

from django.contrib.auth import get_user_model
from django.core.signals import setting_changed
from django.db import connection
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt import state
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken
from rest_framework_simplejwt.utils import aware_utcnow, get_md5_hash_password

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


class _ValidatedTokens:
    """Tokens simplejwt has validated, by key; bounded, the least recently used dropped first. Sync views run
    in a server's threads, so every access holds the lock."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key):
        with self._lock:
            token = self._entries.get(key)
            if token is not None:
                self._entries.move_to_end(key)
            return token

    def put(self, key, token) -> None:
        with self._lock:
            self._entries[key] = token
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def discard(self, key) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# A few thousand clients' tokens per process; one is a few hundred bytes with its claims.
_validated = _ValidatedTokens(4096)


@receiver(setting_changed)
def _forget_validations(**kwargs) -> None:
    """Only tests change settings at run time, and several (SIMPLE_JWT, SECRET_KEY, USE_TZ, INSTALLED_APPS)
    can change what simplejwt accepts: any change forgets every verdict."""
    _validated.clear()


def _rememberable(token, backend) -> bool:
    """simplejwt's own AccessToken, exactly: its verdict depends on the bytes, the key and the clock alone.
    A subclass may check state in ``verify()`` (a blacklist, a revocation list) that must be asked on each
    use, as refresh and sliding tokens are. Verified by the key's backend with a local key (a JWKS
    endpoint's keys can be withdrawn)."""
    return (type(token) is AccessToken and token.get_token_backend() is backend
            and getattr(backend, "jwks_client", None) is None)


def _copy(token):
    """A token as a new object, as simplejwt makes one per request, with its own claims dict: a view that
    sets or deletes a claim cannot change what the cache holds or what the next request is given (claim
    values are shared; an access token's are strings and numbers)."""
    copy = object.__new__(type(token))
    copy.__dict__.update(token.__dict__)
    copy.payload = dict(token.payload)
    copy.current_time = aware_utcnow()
    return copy


# Where a request's successful JWT authentication is kept for the rest of the request (see ``authenticated``).
_AUTHENTICATED = "_forecourt_jwt_authenticated"


class JWTAuthentication(JWTAuthentication):
    """simplejwt's checks, in its order and with its errors; the row comes from ``_user_statement``, and an
    access token's validation is remembered (``get_validated_token``)."""

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

    def get_validated_token(self, raw_token):
        """simplejwt's validation, remembered per process for access tokens (the module's docstring). The key
        holds the backend that verified the token: a token is never taken on another key's word."""
        backend = state.token_backend  # the one simplejwt's tokens verify with
        key = (raw_token, backend)
        remembered = _validated.get(key)
        if remembered is not None:
            token = _copy(remembered)
            try:
                token.check_exp()
            except TokenError:
                # Expired: forgotten, and simplejwt's own validation below refuses it with its own error.
                _validated.discard(key)
            else:
                return token
        token = super().get_validated_token(raw_token)
        if _rememberable(token, backend):
            _validated.put(key, _copy(token))
        return token

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
