"""The one error shape of the API, and a clean 503 when the database or Redis is gone.

Every error body is {"code": stable machine code, "message": human text,
"fields": {field: [messages]}} (fields only for validation errors).
"""
import contextlib
import logging
import sys

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpResponse, JsonResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    body = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return JsonResponse(body, status=status)


def _first_code(codes) -> str | None:
    if isinstance(codes, str):
        return codes
    if isinstance(codes, list) and codes:
        return _first_code(codes[0])
    if isinstance(codes, dict) and codes:
        return _first_code(next(iter(codes.values())))
    return None


def _flatten(detail):
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_flatten(v) for v in detail]
    return str(detail)


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "request_too_large"
    default_detail = "The request body is too large."


def exception_handler(exc, context):
    # Django's form parsing refuses an oversized body or too many fields with a SuspiciousOperation, which
    # would otherwise become an HTML 400 outside the error shape.
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(str(exc), code="too_many_fields")
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=getattr(exc, "message_dict", None) or exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail) if isinstance(exc.detail, dict) else {"non_field_errors": _flatten(exc.detail)}
        code = _first_code(exc.get_codes()) or "invalid"
        # Field errors carry the field's own code in the body; the top code says "validation".
        body = {"code": "validation_error" if isinstance(exc.detail, dict) else code,
                "message": "Some fields are invalid.", "fields": fields}
    else:
        code = getattr(exc, "code", None) if isinstance(getattr(exc, "code", None), str) else None
        code = code or _first_code(exc.get_codes()) or exc.default_code
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else str(_flatten(detail))
        body = {"code": code, "message": message}
        extra = getattr(exc, "extra", None)
        if isinstance(extra, dict) and extra:
            body["details"] = extra
    response.data = body
    return response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def unavailable_service(exc) -> str | None:
    """Which backing service ``exc`` says is unreachable ("database", "redis"), or None."""
    if isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DatabaseError) and connection.connection is not None and connection.connection.closed
    ):
        return "database"
    if isinstance(exc, RedisConnectionError | RedisTimeoutError):
        return "redis"
    return None


def service_unavailable(request, service: str, exc) -> HttpResponse:
    """503 (retry shortly) for a lost database or Redis; the next request reconnects."""
    log.warning("%s unavailable: %r", service, exc)
    if service == "database":
        with contextlib.suppress(DatabaseError):
            connection.close()
    message = f"The {service} is unavailable; try again shortly."
    if _is_api(request):
        response = error_response(503, "service_unavailable", message)
    else:
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "5"
    return response


def handler404(request, exception=None):
    if _is_api(request):
        return error_response(404, "not_found", "Not found.")
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request):
    exc = sys.exc_info()[1]
    if (service := unavailable_service(exc)) is not None:
        return service_unavailable(request, service, exc)
    if _is_api(request):
        return error_response(500, "server_error", "Internal server error.")
    from django.views.defaults import server_error

    return server_error(request)
