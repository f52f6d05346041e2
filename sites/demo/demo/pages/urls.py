"""Server-rendered pages of both hosts. Marketplace pages 404 on a dealership host and vice versa.

Included last by demo.urls_common without a namespace; names are prefixed "pages:" through app_name
except "home", which other code reverses bare.
"""
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from accounts.throttling import sign_in_throttled
from demo.http.media import serve_upload
from demo.pages.views import (
    account,
    auth,
    books,
    commissions,
    dealership,
    leads,
    marketplace,
    members,
    money,
    payroll,
    staff,
    trading,
    wallet,
)

page_patterns = [
    # marketplace
    path("cars/<int:car_id>/", marketplace.car_detail, name="car"),
    path("cars/<int:car_id>/buy/", marketplace.buy, name="buy"),
    path("cars/<int:car_id>/save/", marketplace.save, name="save"),
    path("cars/<slug:store>/<int:car_id>/", marketplace.car_detail, name="store_car"),
    path("cars/<slug:store>/<int:car_id>/buy/", marketplace.buy, name="store_buy"),
    path("cars/<slug:store>/<int:car_id>/save/", marketplace.save, name="store_save"),
    path("cars/<slug:store>/<int:car_id>/contact/", marketplace.contact, name="contact"),
    # auth
    path("accounts/signup/", auth.signup, name="signup"),
    path("accounts/login/", sign_in_throttled(auth.LoginView.as_view()), name="login"),
    path("accounts/logout/", auth.LogoutView.as_view(), name="logout"),
    # my account
    path("me/cars/", account.my_cars, name="my_cars"),
    path("me/cars/new/", account.car_new, name="car_new"),
    path("me/cars/<int:car_id>/", account.my_car, name="my_car"),
    path("me/cars/<int:car_id>/edit/", account.car_edit, name="car_edit"),
    path("me/cars/<int:car_id>/action/", account.my_car_action, name="my_car_action"),
    path("me/purchases/", account.purchases, name="purchases"),
    path("me/saved/", account.saved, name="saved"),
    path("me/notifications/", account.notification_list, name="notifications"),
    path("me/wallet/", wallet.wallet_page, name="wallet"),
    path("me/wallet/statement.csv", wallet.statement_csv, name="statement_csv"),
    path("me/wallet/transfer/", wallet.transfer, name="transfer"),
    path("me/wallet/credit/", wallet.credit_request, name="credit_request"),
    path("me/wallet/charge/", wallet.charge_sale, name="charge_sale"),
    path("me/trading/", trading.desk, name="trading"),
    # platform admin
    path("staff/verification/", staff.verification_queue, name="staff_verification"),
    path("staff/verification/<int:car_id>/", staff.verification_decide, name="staff_verify"),
    path("staff/verification/<slug:store>/<int:car_id>/", staff.verification_decide, name="staff_verify_store"),
    path("staff/credit/", staff.credit_requests, name="staff_credit"),
    path("staff/dealerships/", staff.dealership_new, name="staff_dealership_new"),
    # dealership workspace
    path("inventory/", dealership.inventory, name="inventory"),
    path("inventory/new/", dealership.inventory_new, name="inventory_new"),
    path("inventory/<int:car_id>/edit/", dealership.inventory_edit, name="inventory_edit"),
    path("inventory/<int:car_id>/action/", dealership.inventory_action, name="inventory_action"),
    path("leads/", dealership.leads_board, name="leads"),
    path("leads/new/", leads.lead_new, name="lead_new"),
    path("my-work/", leads.my_work_page, name="my_work"),
    path("leads/<int:lead_id>/", dealership.lead_detail, name="lead"),
    path("leads/<int:lead_id>/win/", leads.lead_win, name="lead_win"),
    path("leads/<int:lead_id>/move/", dealership.lead_move, name="lead_move"),
    path("leads/<int:lead_id>/assign/", dealership.lead_assign, name="lead_assign"),
    # The old single-entry accounting page lives on as the books (bookmarks land there).
    path("accounting/", RedirectView.as_view(pattern_name="pages:books", permanent=True)),
    path("books/", books.journal, name="books"),
    path("books/entries/<int:entry_id>/", books.entry, name="books_entry"),
    path("books/accounts/", books.accounts, name="books_accounts"),
    path("books/reports/<slug:name>/", books.report, name="books_report"),
    path("books/settings/", books.vat_settings, name="books_settings"),
    path("books/vehicles/<int:car_id>/", books.vehicle, name="books_vehicle"),
    path("books/invoices/<int:number>.pdf", books.invoice, name="books_invoice"),
    path("sales/", dealership.sales, name="sales"),
    path("members/", members.members, name="members"),
    path("commissions/", commissions.commissions, name="commissions"),
    path("commissions/rules/", commissions.commission_rule_new, name="commission_rule_new"),
    path("commissions/<int:commission_id>/pay/", commissions.commission_pay, name="commission_pay"),
    path("money/", money.money, name="money"),
    path("money/statement.csv", money.money_csv, name="money_csv"),
    path("money/pay/", money.money_pay, name="money_pay"),
    path("members/<int:member_id>/", members.member_action, name="member_action"),
    path("employees/", payroll.employees, name="employees"),
    path("employees/<int:employee_id>/", payroll.employee_detail, name="employee"),
    path("employees/<int:employee_id>/salary/", payroll.salary_new, name="employee_salary"),
    path("payroll/", payroll.runs, name="payroll"),
    path("payroll/<int:run_id>/", payroll.run_detail, name="payroll_run"),
    path("payroll/<int:run_id>/action/", payroll.run_action, name="payroll_action"),
    path("payslips/", payroll.my_payslips, name="payslips"),
    path("payslips/<int:payslip_id>.pdf", payroll.payslip_pdf, name="payslip_pdf"),
    # files (no separate static server in the demo)
    # Uploaded car photos, served as images only (demo/http/media.py; a CDN or web server in front is better at scale).
    re_path(r"^media/(?P<path>.+)$", serve_upload, name="media"),
]

urlpatterns = [
    path("", marketplace.home, name="home"),
    path("", include((page_patterns, "pages"))),
]
