"""URLs of the trading API. The site mounts them at /api/trading/ with namespace "trading".

``transactions/...`` are aliases of ``orders/`` that name an order's fields ``transaction_*``
(``transaction_id``, ``transaction_type``, ``transaction_volume``, ``transaction_price``, ``timestamp``)."""
from django.urls import path

from . import views

app_name = "trading"

urlpatterns = [
    path("users/", views.TraderCreateApi.as_view(), name="trader-create"),
    path("deposits/", views.DepositApi.as_view(), name="deposit"),
    path("withdrawals/", views.WithdrawalApi.as_view(), name="withdrawal"),
    path("users/<str:username>/", views.TraderDetailApi.as_view(), name="trader-detail"),
    path("stocks/", views.StockListApi.as_view(), name="stock-list"),
    path("stocks/<str:ticker>/", views.StockDetailApi.as_view(), name="stock-detail"),
    path("orders/", views.OrderListCreateApi.as_view(), name="order-list"),
    path("orders/<uuid:pk>/", views.OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<uuid:pk>/cancel/", views.OrderCancelApi.as_view(), name="order-cancel"),
    path("transactions/", views.TransactionCreateApi.as_view(), name="transaction-create"),
    path("transactions/<str:user_id>/", views.TransactionHistoryApi.as_view(), name="transaction-history"),
    path("transactions/<str:user_id>/<str:start>/<str:end>/", views.TransactionHistoryRangeApi.as_view(),
         name="transaction-history-range"),
]
