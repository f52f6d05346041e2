"""URLs of the trading API (the seed's paths). The site mounts them at /api/trading/ with namespace "trading"."""
from django.urls import path

from . import views

app_name = "trading"

urlpatterns = [
    path("users/", views.TraderCreateApi.as_view(), name="trader-create"),
    path("users/<str:username>/", views.TraderDetailApi.as_view(), name="trader-detail"),
    path("stocks/", views.StockListApi.as_view(), name="stock-list"),
    path("stocks/<str:ticker>/", views.StockDetailApi.as_view(), name="stock-detail"),
    path("transactions/", views.OrderCreateApi.as_view(), name="order-create"),
    path("transactions/<str:user_id>/", views.OrderHistoryApi.as_view(), name="order-history"),
    path("transactions/<str:user_id>/<str:start>/<str:end>/", views.OrderHistoryRangeApi.as_view(),
         name="order-history-range"),
    path("orders/<uuid:pk>/", views.OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<uuid:pk>/cancel/", views.OrderCancelApi.as_view(), name="order-cancel"),
]
