"""The site's OpenAPI: unique component names, documented error responses, one schema per host.

Every package nests `InputSerializer` / `OutputSerializer` inside its views
(HackSoft style); drf-spectacular would name them all "Input"/"Output" and
collide. Prefix a nested serializer's component with its enclosing class.

drf-spectacular documents only the success response. Every operation here also
declares the errors the site can answer it with, all in the one error shape
(`ApiError` below, as `forecourt_core.drf.exception_handler` renders it), so a client (and the
fuzzer, tests/reliability/) can rely on the schema for every status it will see.
"""
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from rest_framework import permissions, serializers

from demo.http.members_only import OPEN_PREFIXES

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class JWTScheme(SimpleJWTScheme):
    """The site's JWT authentication (simplejwt's, with its own user read) documented as simplejwt's bearer
    scheme: drf-spectacular matches an authenticator by its exact class."""

    target_class = "accounts.authentication.JWTAuthentication"


class ApiError(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `validation_error`, `not_found`")
    message = serializers.CharField(help_text="Human-readable text")
    fields = serializers.DictField(child=serializers.JSONField(), required=False,
                                   help_text="Validation errors only: field name -> messages")
    details = serializers.DictField(child=serializers.JSONField(), required=False,
                                    help_text="Domain errors that carry data (e.g. the balance that was short)")


ERROR_DESCRIPTIONS = {
    "400": "Invalid input (`validation_error` with `fields`) or a refused domain rule",
    "401": "Not signed in, or the token is invalid or expired",
    "403": "Signed in but not allowed (role, membership of this dealership)",
    "404": "No such object here (or not visible to this user), or no such page",
    "409": "Conflicts with the current state (not available, already done, idempotency key reused)",
    "413": "Request body too large",
    "415": "Unsupported request content type",
    "429": "Throttled; retry later",
    "503": "The database is unavailable; retry shortly",
}


class AutoSchema(BaseAutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            self._add_error_responses(operation)
        return operation

    def _error_codes(self, operation) -> set[str]:
        params = operation.get("parameters", [])
        has_body = "requestBody" in operation
        codes = {"401", "503"}
        if has_body or params or self.method not in SAFE_METHODS:
            codes.add("400")
        if not self._is_open():
            codes.add("403")
        if has_body or any(p["in"] in ("path", "query") for p in params):
            codes.add("404")  # path ids, pages, and ids named in bodies (the car of a contact, an agent)
        if self.method not in SAFE_METHODS:
            codes.add("409")
        if has_body:
            codes |= {"413", "415"}
        if self.view.get_throttles():
            codes.add("429")
        return codes

    def _is_open(self) -> bool:
        """AllowAny on a path the dealership members-only middleware lets everyone through."""
        return all(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions()) and \
            self.path.startswith(tuple("/" + p.lstrip("/") for p in OPEN_PREFIXES))

    def _add_error_responses(self, operation) -> None:
        error = self.resolve_serializer(ApiError, "response").ref
        for code in sorted(self._error_codes(operation)):
            operation["responses"].setdefault(code, {
                "description": ERROR_DESCRIPTIONS[code], "content": {"application/json": {"schema": error}}})

    def _get_serializer_name(self, serializer, direction, bypass_extensions=False):
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        target = getattr(serializer, "child", serializer)
        cls = target if isinstance(target, type) else type(target)
        outer = cls.__qualname__.split(".")[0] if "." in cls.__qualname__ else ""
        if outer and not name.startswith(outer):
            name = f"{outer.removesuffix('Api').removesuffix('View')}{name}"
        return name


def drop_blank_format_defaults(result, generator, request, public):
    """`default: ""` on a formatted or non-empty string is valid Django (blank allowed on the model) but
    not valid OpenAPI: a default must satisfy its own schema. Such fields simply get no default."""

    def walk(node):
        if isinstance(node, dict):
            if node.get("default") == "" and (node.get("format") or node.get("minLength", 0) > 0):
                del node["default"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result

