"""The marketplace at the base domain (public schema)."""
from django.urls import include, path

from demo.urls_common import shared_patterns

urlpatterns = [
    path("api/dealerships/", include("tenancy.api.urls")),
    *shared_patterns,
]
handler404 = "demo.api.handler404"
handler500 = "demo.api.handler500"
