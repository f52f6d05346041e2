"""A dealership's subdomain (its own schema): inventory, leads, HR, payroll, books."""
from django.urls import include, path

from demo.urls_common import shared_patterns

urlpatterns = [
    path("api/leads/", include("django_leads.api.urls")),
    path("api/", include("django_payroll.api.urls")),
    path("api/", include("django_books.api.urls")),
    path("api/members/", include("tenancy.api.member_urls")),
    *shared_patterns,
]
handler404 = "demo.http.errors.handler404"
handler500 = "demo.http.errors.handler500"
