"""Include with ``path("api/", include("django_books.api.urls"))``: everything under /api/books/
(URL names ``books:<name>``)."""
from django.urls import path

from . import views

app_name = "books"

REPORTS = ["trial-balance", "profit-and-loss", "balance-sheet", "vat-return", "vehicle-margins",
           "wallet-reconciliation"]

urlpatterns = [
    path("books/accounts/", views.LedgerAccountListCreateApi.as_view(), name="account-list"),
    path("books/accounts/<str:code>/", views.LedgerAccountDetailApi.as_view(), name="account-detail"),
    path("books/entries/", views.JournalEntryListCreateApi.as_view(), name="entry-list"),
    path("books/entries/<int:entry_id>/", views.JournalEntryDetailApi.as_view(), name="entry-detail"),
    path("books/entries/<int:entry_id>/reverse/", views.JournalEntryReverseApi.as_view(), name="entry-reverse"),
    path("books/periods/close/", views.PeriodCloseApi.as_view(), name="period-close"),
    path("books/profile/", views.BooksProfileApi.as_view(), name="profile"),
    path("books/vehicles/<int:vehicle_id>/costs/", views.VehicleCostApi.as_view(), name="vehicle-costs"),
    path("books/sales/", views.VehicleSaleListApi.as_view(), name="sale-list"),
    path("books/sales/<int:invoice_number>/invoice.pdf", views.InvoicePdfApi.as_view(), name="invoice-pdf"),
    path("books/reports/general-ledger/<str:code>/", views.BooksReportApi.as_view(report="general-ledger"),
         name="report-general-ledger"),
    path("books/reports/general-ledger/<str:code>/csv/",
         views.BooksReportApi.as_view(report="general-ledger", as_csv=True), name="report-general-ledger-csv"),
]
for _name in REPORTS:
    urlpatterns += [
        path(f"books/reports/{_name}/", views.BooksReportApi.as_view(report=_name), name=f"report-{_name}"),
        path(f"books/reports/{_name}/csv/", views.BooksReportApi.as_view(report=_name, as_csv=True),
             name=f"report-{_name}-csv"),
    ]
