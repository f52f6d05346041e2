"""A ``DomainError`` as a plain Django ``JsonResponse``: for middleware and error views outside DRF."""
from __future__ import annotations

from django.http import JsonResponse

from .errors import DomainError


def error_json(error: DomainError) -> JsonResponse:
    """The error shape ``{"code", "message", "fields"}`` with the error's status (and its ``Retry-After``)."""
    response = JsonResponse(error.as_dict(), status=error.status)
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response
