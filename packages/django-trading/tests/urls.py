from django.urls import include, path

urlpatterns = [path("api/trading/", include("django_trading.api.urls"))]
