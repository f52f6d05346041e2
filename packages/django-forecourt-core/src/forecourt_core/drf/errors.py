"""One DRF exception handler: every error leaves the API as ``{"code", "message", "fields"}``.

- ``code``: a stable machine code (``insufficient_funds``, ``not_found``, ``validation_error``, ...);
- ``message``: a human sentence;
- ``fields``: ``{field: [messages]}``, present only when particular fields are at fault.

It renders ``forecourt_core.errors.DomainError`` (its code, message, status and fields), DRF's own
exceptions, Django's ``Http404`` / ``PermissionDenied`` / ``ValidationError`` and Django's refusals of an
oversized or over-long form body. A lost database or Redis connection is a ``503 service_unavailable``
with ``Retry-After``. Anything else is left to Django (a 500).
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..errors import DomainError, RequestTooLarge
from ..outage import outage_error, unavailable_service


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


def domain_error_response(error: DomainError) -> Response:
    response = Response(error.as_dict(), status=error.status)
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


def _as_drf(exc):
    """Django's exceptions as their DRF equivalents (DRF's handler knows only its own and Http404)."""
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return exceptions.ParseError(str(exc), code="too_many_fields")
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(detail=getattr(exc, "message_dict", None) or exc.messages)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def _leaf_codes(codes) -> set[str]:
    if isinstance(codes, dict):
        return set().union(*(_leaf_codes(c) for c in codes.values())) if codes else set()
    if isinstance(codes, list):
        return set().union(*(_leaf_codes(c) for c in codes)) if codes else set()
    return {codes}


def _validation_body(exc: exceptions.ValidationError) -> dict:
    """Field errors carry each field's own messages in "fields". The top code is "validation_error", unless
    every field fails with one domain code (e.g. ``invalid_amount``): then that code, so a client handles a
    bad amount the same whether a serializer or a service refused it."""
    fields = _flatten(exc.detail) if isinstance(exc.detail, dict) else {"non_field_errors": _flatten(exc.detail)}
    codes = _leaf_codes(exc.get_codes())
    shared = DomainError.declared(next(iter(codes))) if len(codes) == 1 else None
    if shared is not None and shared is not DomainError:  # DomainError's own "invalid" is DRF's generic code
        return {"code": shared.code, "message": shared.message, "fields": fields}
    code = "validation_error" if isinstance(exc.detail, dict) else _first_code(exc.get_codes()) or "invalid"
    return {"code": code, "message": "Some fields are invalid.", "fields": fields}


def _body(exc: exceptions.APIException) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        return _validation_body(exc)
    code = _first_code(exc.get_codes()) or exc.default_code
    detail = exc.detail
    message = str(_flatten(detail)) if isinstance(detail, dict | list) else str(detail)
    return {"code": code, "message": message}


def exception_handler(exc, context):
    """DRF's ``EXCEPTION_HANDLER``: the error shape for every refusal, ``None`` (a 500) for a bug."""
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    if isinstance(exc, DomainError):
        return domain_error_response(exc)
    if (service := unavailable_service(exc)) is not None:
        return domain_error_response(outage_error(service, exc))
    exc = _as_drf(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = _body(exc)
    return response
