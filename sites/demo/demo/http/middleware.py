"""Turns a lost database or Redis during a view into a 503 in the error shape."""
from demo.http.errors import service_unavailable, unavailable_service


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
