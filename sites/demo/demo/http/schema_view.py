"""/api/schema/ (apart from demo.http.openapi: DRF imports that module while its views load)."""
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

# The schema changes only with the code: build it once per process for each URL conf and version
# (generating it walks every view, a quarter of a second or more each time).
_built: dict[tuple, dict] = {}


class HostSchemaView(SpectacularAPIView):
    """The schema of the host asked: the marketplace's URLs at the base domain, a dealership's on its
    subdomain (django-tenants sets `request.urlconf`; drf-spectacular alone would describe ROOT_URLCONF,
    the dealership URLs, on both)."""

    def _get_schema_response(self, request):
        self.urlconf = getattr(request._request, "urlconf", None)
        if not self.serve_public:  # a schema filtered by the caller's permissions is not shared
            return super()._get_schema_response(request)
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (self.urlconf, version)
        if key not in _built:
            _built[key] = super()._get_schema_response(request).data
        filename = self._get_filename(request, version)
        return Response(data=_built[key], headers={"Content-Disposition": f'inline; filename="{filename}"'})
