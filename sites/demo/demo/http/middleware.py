"""What leaves the site is the documented answer: a lost database or Redis is a 503 in the error shape, and
every error under /api/ is JSON in the error shape."""
import sys

from django.core.signals import got_request_exception
from django.dispatch import receiver

from demo.http.errors import error_response, service_unavailable
from forecourt_core.outage import unavailable_service


class DatabaseUnavailableMiddleware:
    """A view that loses the database or Redis answers 503 with the error shape, never a 500.

    Failures before the view (the tenant lookup in TenantMainMiddleware) reach ``handler500``,
    which gives the same answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        service = unavailable_service(exc)
        return service_unavailable(request, service, exc) if service else None


@receiver(got_request_exception, dispatch_uid="demo.http.middleware.note_outage")
def _note_outage(sender, request=None, **kwargs):
    """Django announces every uncaught exception, from any middleware or view, before it builds the 500 (or,
    with DEBUG on, the debug page); a lost database or Redis is noted on the request for ErrorShapeMiddleware."""
    exc = sys.exc_info()[1]
    if request is not None and (service := unavailable_service(exc)) is not None:
        request.service_outage = (service, exc)


class ErrorShapeMiddleware:
    """The outermost middleware: what leaves the site is the documented answer, DEBUG or not.

    - A lost database or Redis anywhere (the tenant lookup, a session, a view; a server refusing new
      connections included) is the 503 `service_unavailable`, never a 500 or the debug page.
    - Every error under /api/ is JSON in the error shape, also Django's own HTML answers (an unknown
      route, which with DEBUG on is the technical 404 page, a 405 from a plain view, a 500).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        outage = getattr(request, "service_outage", None)
        if outage is not None and response.status_code >= 500:
            return service_unavailable(request, *outage)
        if request.path.startswith("/api/") and response.status_code >= 400 and not _is_json(response):
            code = _STATUS_CODES.get(response.status_code, "error")
            shaped = error_response(response.status_code, code, _STATUS_MESSAGES.get(code, response.reason_phrase))
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    shaped[header] = response[header]
            return shaped
        return response


_STATUS_CODES = {400: "bad_request", 403: "permission_denied", 404: "not_found", 405: "method_not_allowed",
                 413: "request_too_large", 500: "server_error"}
_STATUS_MESSAGES = {"not_found": "Not found.", "server_error": "Internal server error."}


def _is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")
