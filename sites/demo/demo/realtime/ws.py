"""Websocket plumbing: resolve the dealership from the Host header, then the user (session or JWT).

django-tenants has no ASGI support, so the tenant is put on the scope here and
consumers wrap ORM work in tenant_context(scope["tenant"]) when they need it.
"""
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from django_tenants.utils import get_tenant_domain_model
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from accounts.authentication import JWTAuthentication


def _host(scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"host":
            return value.decode("latin1").split(":", 1)[0].lower()
    return ""


@database_sync_to_async
def _tenant_for(host: str):
    domain = get_tenant_domain_model().objects.select_related("tenant").filter(domain=host).first()
    return domain.tenant if domain else None


@database_sync_to_async
def _user_for_token(token: str):
    auth = JWTAuthentication()
    try:
        return auth.get_user(auth.get_validated_token(token))
    except (InvalidToken, TokenError):
        return None


class TenantFromHostMiddleware:
    """Unknown host: the socket is closed, as HTTP answers 404."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        tenant = await _tenant_for(_host(scope))
        if tenant is None:
            await send({"type": "websocket.close", "code": 4404})
            return None
        return await self.inner({**scope, "tenant": tenant}, receive, send)


class JwtQueryAuthMiddleware:
    """`?token=<access JWT>` authenticates when there is no session user (browsers can't set headers)."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        user = scope.get("user")
        if user is None or not user.is_authenticated:
            token = parse_qs(scope.get("query_string", b"").decode()).get("token", [None])[0]
            if token:
                scope = {**scope, "user": await _user_for_token(token) or AnonymousUser()}
        return await self.inner(scope, receive, send)


def websocket_stack(inner):
    return TenantFromHostMiddleware(AuthMiddlewareStack(JwtQueryAuthMiddleware(inner)))
