"""/api/schema/ (apart from demo.openapi: DRF imports that module while its views load)."""
from drf_spectacular.views import SpectacularAPIView


class HostSchemaView(SpectacularAPIView):
    """The schema of the host asked: the marketplace's URLs at the base domain, a dealership's on its
    subdomain (django-tenants sets `request.urlconf`; drf-spectacular alone would describe ROOT_URLCONF,
    the dealership URLs, on both)."""

    def _get_schema_response(self, request):
        self.urlconf = getattr(request._request, "urlconf", None)
        return super()._get_schema_response(request)
