"""The marketplace at the base domain (public schema)."""
from django.urls import include, path

from demo.glue.contact import DealerContactApi
from demo.urls_common import shared_patterns

urlpatterns = [
    path("api/dealerships/", include("tenancy.api.urls")),
    path("api/marketplace/contact/", DealerContactApi.as_view(), name="dealer-contact"),
    *shared_patterns,
]
handler404 = "demo.http.errors.handler404"
handler500 = "demo.http.errors.handler500"
