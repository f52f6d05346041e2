"""A ``DomainError`` as a plain Django ``JsonResponse``: for middleware and error views outside DRF."""
from __future__ import annotations

from django.http import JsonResponse

from .errors import DomainError, ServiceUnavailable
from .outage import RETRY_AFTER_SECONDS


def error_json(error: DomainError) -> JsonResponse:
    """The error shape ``{"code", "message", "fields"}`` with the error's status (and ``Retry-After`` for a 503)."""
    response = JsonResponse(error.as_dict(), status=error.status)
    if isinstance(error, ServiceUnavailable):
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
