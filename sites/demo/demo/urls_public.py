"""The marketplace at the base domain (public schema)."""
from django.urls import include, path

from demo.contact import DealerContactApi
from demo.urls_common import shared_patterns

urlpatterns = [
    path("api/dealerships/", include("tenancy.api.urls")),
    path("api/marketplace/contact/", DealerContactApi.as_view(), name="dealer-contact"),
    *shared_patterns,
]
handler404 = "demo.api.handler404"
handler500 = "demo.api.handler500"
