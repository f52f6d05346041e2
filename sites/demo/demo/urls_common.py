"""URL patterns both hosts share: auth, OpenAPI, health, and the shared packages' APIs."""
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from accounts.throttling import sign_in_throttled
from demo.http.health import healthz
from demo.http.ping import ping
from demo.http.schema_view import HostSchemaView
from demo.observability.metrics import metrics_view

shared_patterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("api/ping/", ping, name="ping"),
    path("admin/login/", sign_in_throttled(admin.site.login)),  # same rate limit as every sign-in
    path("admin/", admin.site.urls),
    path("api/auth/", include("accounts.api.urls")),
    path("api/schema/", HostSchemaView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/wallet/", include("django_wallet.api.urls")),
    path("api/notifications/", include("django_notifications.api.urls")),
    path("api/trading/", include("django_trading.api.urls")),
    path("api/cars/", include("django_car_listing.api.urls")),
    path("", include("demo.pages.urls")),
]
