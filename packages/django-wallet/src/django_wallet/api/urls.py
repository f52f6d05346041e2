"""URLs of the wallet API; the site mounts them at /api/wallet/ with namespace "wallet"."""

from django.urls import path

from . import batches, views

app_name = "wallet"

urlpatterns = [
    path("accounts/", views.AccountListApi.as_view(), name="account-list"),
    path("accounts/<int:pk>/statement/", views.StatementApi.as_view(), name="statement"),
    path("accounts/<int:pk>/statement.csv", views.StatementCsvApi.as_view(), name="statement-csv"),
    path("transfers/", views.TransferCreateApi.as_view(), name="transfer-create"),
    path("credit-requests/", views.CreditRequestListCreateApi.as_view(), name="credit-request-list"),
    path("credit-requests/all/", views.CreditRequestStaffListApi.as_view(), name="credit-request-staff-list"),
    path(
        "credit-requests/<int:pk>/approve/",
        views.CreditRequestApproveApi.as_view(),
        name="credit-request-approve",
    ),
    path(
        "credit-requests/<int:pk>/reject/",
        views.CreditRequestRejectApi.as_view(),
        name="credit-request-reject",
    ),
    path("charge-sales/", views.ChargeSaleListCreateApi.as_view(), name="charge-sale-list"),
    path("batches/", batches.BatchCreateApi.as_view(), name="batch-create"),
    path("staff/accounts/", views.AccountLookupApi.as_view(), name="account-lookup"),
]
