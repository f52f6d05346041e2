"""The site's error views and the error shape outside DRF.

Inside DRF views the kernel's handler (``forecourt_core.drf.exception_handler``) renders every refusal;
here are the answers Django gives itself: 404 and 500 views, and the 503 for a lost database or Redis
(JSON in the error shape under /api/, plain text on pages).
"""
import sys

from django.http import HttpResponse, JsonResponse
from django.views.defaults import page_not_found, server_error

from forecourt_core.errors import DomainError
from forecourt_core.outage import RETRY_AFTER_SECONDS, outage_error, unavailable_service
from forecourt_core.responses import error_json


def error_response(status: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    return error_json(DomainError(message, code=code, status=status, fields=fields))


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def service_unavailable(request, service: str, exc) -> HttpResponse:
    """503 (retry shortly) for a lost database or Redis; the next request reconnects."""
    error = outage_error(service, exc)
    if _is_api(request):
        return error_json(error)
    response = HttpResponse(error.message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def handler404(request, exception=None):
    if _is_api(request):
        return error_response(404, "not_found", "Not found.")
    return page_not_found(request, exception)


def handler500(request):
    exc = sys.exc_info()[1]
    if (service := unavailable_service(exc)) is not None:
        return service_unavailable(request, service, exc)
    if _is_api(request):
        return error_response(500, "server_error", "Internal server error.")
    return server_error(request)
