"""The HTTP API: permission matrix, own payslips only, documents, reports, error codes, query counts."""
import io

import pytest
from django.urls import reverse

from django_payroll import services

pytestmark = pytest.mark.django_db

HR = ["payroll.view_employee", "payroll.add_employee", "payroll.change_employee", "payroll.view_salarystructure",
      "payroll.add_salarystructure"]
ACCOUNTANT = ["payroll.view_payrollrun", "payroll.add_payrollrun", "payroll.change_payrollrun", "payroll.view_payslip",
              "payroll.view_taxband", "payroll.change_taxband"]
DEALER = ["payroll.view_payrollrun", "payroll.approve_payrollrun", "payroll.pay_payrollrun"]


@pytest.fixture
def people(make_user):
    return {"hr": make_user(*HR), "accountant": make_user(*ACCOUNTANT), "dealer": make_user(*DEALER),
            "nobody": make_user()}


@pytest.fixture
def paid_run(make_employee, fund, approved_run):
    alice = make_employee(first_name="Alice", base="2500.00", department="Sales", position="Agent")
    bob = make_employee(first_name="Bob", base="1800.00", department="Workshop")
    fund("10000.00")
    run = services.run_pay(run=approved_run())
    return {"run": run, "alice": alice, "bob": bob,
            "alice_slip": run.payslips.get(employee=alice), "bob_slip": run.payslips.get(employee=bob)}


# (method, url name, kwargs, body, role(s) allowed)
MATRIX = [
    ("get", "payroll:employee-list", {}, None, "hr"),
    ("post", "payroll:employee-list", {}, {"first_name": "N", "last_name": "M", "hire_date": "2026-01-01"}, "hr"),
    ("get", "payroll:run-list", {}, None, ("accountant", "dealer")),
    ("post", "payroll:run-list", {}, {"period": "2027-01-15"}, "accountant"),
    ("get", "payroll:tax-bands", {}, None, "accountant"),
]


@pytest.mark.parametrize(("method", "name", "kwargs", "body", "allowed"), MATRIX)
def test_permission_matrix(people, client_for, method, name, kwargs, body, allowed):
    url = reverse(name, kwargs=kwargs)
    for role, user in people.items():
        response = getattr(client_for(user), method)(url, body, format="json")
        if role in (allowed if isinstance(allowed, tuple) else (allowed,)):
            assert response.status_code in (200, 201), (role, response.content)
        else:
            assert response.status_code == 403, (role, name)


def test_anonymous_is_refused(client):
    assert client.get(reverse("payroll:payslip-list")).status_code in (401, 403)


def test_run_lifecycle_over_http_needs_the_right_perm_at_each_step(people, client_for, make_employee, fund):
    make_employee(base="1000.00")
    fund("1000.00")
    accountant, dealer = client_for(people["accountant"]), client_for(people["dealer"])
    run_id = accountant.post(reverse("payroll:run-list"), {"period": "2026-11-05"}, format="json").json()["id"]
    assert dealer.post(reverse("payroll:run-calculate", args=[run_id])).status_code == 403
    assert accountant.post(reverse("payroll:run-calculate", args=[run_id])).json()["status"] == "calculated"
    assert accountant.post(reverse("payroll:run-approve", args=[run_id])).status_code == 403
    assert dealer.post(reverse("payroll:run-approve", args=[run_id])).json()["status"] == "approved"
    assert accountant.post(reverse("payroll:run-pay", args=[run_id])).status_code == 403
    keyless = dealer.post(reverse("payroll:run-pay", args=[run_id]))
    assert (keyless.status_code, keyless.json()["code"]) == (400, "idempotency_key_required")
    paid = dealer.post(reverse("payroll:run-pay", args=[run_id]), HTTP_IDEMPOTENCY_KEY="pay-1")
    assert paid.status_code == 200 and paid.json()["status"] == "paid" and paid.json()["total_net"] == "1000.00"
    again = dealer.post(reverse("payroll:run-pay", args=[run_id]), HTTP_IDEMPOTENCY_KEY="pay-1")  # the first answer
    assert again.status_code == 200 and again.json() == paid.json()
    frozen = accountant.post(reverse("payroll:run-calculate", args=[run_id]))
    assert (frozen.status_code, frozen.json()["code"]) == (409, "run_frozen")
    dup = accountant.post(reverse("payroll:run-list"), {"period": "2026-11-30"}, format="json")
    assert (dup.status_code, dup.json()["code"]) == (409, "run_exists")


def test_short_balance_over_http_is_a_409_with_code(people, client_for, make_employee, fund, approved_run):
    make_employee(base="1000.00")
    fund("999.99")
    run = approved_run()
    response = client_for(people["dealer"]).post(reverse("payroll:run-pay", args=[run.pk]),
                                                 HTTP_IDEMPOTENCY_KEY="pay-1")
    assert (response.status_code, response.json()["code"]) == (409, "insufficient_funds")
    detail = client_for(people["dealer"]).get(reverse("payroll:run-detail", args=[run.pk])).json()
    assert (detail["status"], detail["error_code"]) == ("approved", "insufficient_funds")


def test_employee_sees_only_own_payslips(paid_run, client_for, people):
    alice = client_for(paid_run["alice"].user)
    listed = alice.get(reverse("payroll:payslip-list")).json()["results"]
    assert [p["id"] for p in listed] == [paid_run["alice_slip"].pk]
    bob_slip = paid_run["bob_slip"].pk
    for name in ("payroll:payslip-detail", "payroll:payslip-csv", "payroll:payslip-pdf"):
        assert alice.get(reverse(name, args=[bob_slip])).status_code == 404
    assert client_for(people["nobody"]).get(reverse("payroll:payslip-list")).json()["results"] == []
    all_slips = client_for(people["accountant"]).get(reverse("payroll:payslip-list")).json()
    assert all_slips["count"] == 2
    detail = alice.get(reverse("payroll:payslip-detail", args=[paid_run["alice_slip"].pk])).json()
    assert detail["net"] == "2500.00" and detail["lines"][0]["code"] == "base"


def test_payslip_csv_and_pdf(paid_run, client_for):
    alice = client_for(paid_run["alice"].user)
    slip = paid_run["alice_slip"]
    csv_response = alice.get(reverse("payroll:payslip-csv", args=[slip.pk]))
    assert csv_response["Content-Type"].startswith("text/csv")
    body = csv_response.content.decode()
    assert "net,2500.00" in body and "earning,base,Base salary,2500.00" in body
    pdf = alice.get(reverse("payroll:payslip-pdf", args=[slip.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Net pay" in text and "2500.00" in text and "Alice" in text


def test_the_payslip_pdf_formats_amounts_with_the_money_format_setting(paid_run, client_for, settings):
    settings.PAYROLL_MONEY_FORMAT = lambda amount: f"EUR {amount:,}"
    from pypdf import PdfReader

    pdf = client_for(paid_run["alice"].user).get(reverse("payroll:payslip-pdf", args=[paid_run["alice_slip"].pk]))
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "EUR 2,500.00" in text


def employer_for_tests() -> str:
    return "Acme Motors Ltd"


def test_payslip_names_the_employer_period_pay_date_and_payment_method(paid_run, client_for, settings):
    from pypdf import PdfReader

    settings.PAYROLL_EMPLOYER_NAME = f"{__name__}.employer_for_tests"
    slip = paid_run["alice_slip"]
    slip.run.refresh_from_db()
    alice = client_for(paid_run["alice"].user)
    pdf = alice.get(reverse("payroll:payslip-pdf", args=[slip.pk]))
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    paid_on = f"{slip.run.paid_at:%Y-%m-%d}"
    assert "Employer Acme Motors Ltd" in text
    assert f"Period {slip.run.period:%B %Y}" in text
    assert f"Pay date {paid_on}" in text
    assert "Payment method Forecourt wallet" in text
    body = alice.get(reverse("payroll:payslip-csv", args=[slip.pk])).content.decode()
    assert "employer,Acme Motors Ltd" in body and f"pay_date,{paid_on}" in body

    employee = slip.employee
    employee.payout_target, employee.bank_account = "bank", "DE89370400440532013000"
    employee.save()
    pdf = alice.get(reverse("payroll:payslip-pdf", args=[slip.pk]))
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Payment method Bank transfer to the account ending 3000" in text


def test_income_and_expenses_are_the_books_not_payroll(paid_run, client_for, people):
    """Payroll serves HR and payroll only: its old /accounting/ routes are gone (django-books has the books)."""
    accountant = client_for(people["accountant"])
    for path in ("/api/accounting/entries/", "/api/accounting/categories/",
                 "/api/accounting/reports/profit-and-loss/"):
        assert accountant.get(path).status_code == 404


def test_bad_input_is_a_4xx_with_code(people, client_for, make_employee):
    hr, accountant = client_for(people["hr"]), client_for(people["accountant"])
    employee = make_employee()
    response = hr.post(reverse("payroll:employee-salaries", args=[employee.pk]),
                       {"effective_from": "2026-12-01", "base_salary": "10.005"}, format="json")
    assert (response.status_code, list(response.json()["fields"])) == (400, ["base_salary"])
    response = hr.post(reverse("payroll:employee-salaries", args=[employee.pk]),
                       {"effective_from": "2020-01-01", "base_salary": "10.00"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "salary_exists")
    response = accountant.put(reverse("payroll:tax-bands"), {"bands": [{"lower": "5", "upper": None, "rate": "3"}]},
                              format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_tax_bands")
    for body in ([], {"bands": "x"}, {}):  # the schema's object with a list of bands, never a bare list
        response = accountant.put(reverse("payroll:tax-bands"), body, format="json")
        assert (response.status_code, response.json()["code"]) == (400, "validation_error"), body
    response = hr.post(reverse("payroll:employee-terminate", args=[employee.pk]), {"termination_date": "2019-01-01"},
                       format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_employee")


def test_hr_salary_history_and_employee_history(people, client_for, make_employee):
    hr = client_for(people["hr"])
    employee = make_employee(base="3000.00")
    raise_ = hr.post(reverse("payroll:employee-salaries", args=[employee.pk]),
                     {"effective_from": "2026-11-11", "base_salary": "3600.00",
                      "components": [{"name": "Car", "kind": "earning", "amount": "200.00"}]}, format="json")
    assert raise_.status_code == 201 and raise_.json()["components"][0]["amount"] == "200.00"
    salaries = hr.get(reverse("payroll:employee-salaries", args=[employee.pk])).json()
    assert [s["base_salary"] for s in salaries] == ["3000.00", "3600.00"]
    hr.patch(reverse("payroll:employee-detail", args=[employee.pk]), {"position": "Lead"}, format="json")
    history = hr.get(reverse("payroll:employee-history", args=[employee.pk])).json()["results"]
    assert [h["position"] for h in history] == ["Lead", ""]


def test_list_query_counts_are_bounded(people, client_for, make_employee, fund, approved_run,
                                       django_assert_max_num_queries):
    for _ in range(6):
        make_employee(base="100.00", department="Sales")
    fund("1000.00")
    services.run_pay(run=approved_run())
    accountant, hr = client_for(people["accountant"]), client_for(people["hr"])
    # auth user + perms, count, page (+ savepoints in the test client): independent of the row count
    with django_assert_max_num_queries(6):
        assert hr.get(reverse("payroll:employee-list")).json()["count"] == 6
    with django_assert_max_num_queries(6):
        assert accountant.get(reverse("payroll:payslip-list")).json()["count"] == 6
    with django_assert_max_num_queries(6):
        assert accountant.get(reverse("payroll:run-list")).json()["results"][0]["payslip_count"] == 6


def test_run_payment_report_csv(paid_run, client_for, people, django_assert_max_num_queries):
    url = reverse("payroll:run-csv", args=[paid_run["run"].pk])
    assert client_for(people["dealer"]).get(url).status_code == 403
    with django_assert_max_num_queries(5):
        body = client_for(people["accountant"]).get(url).content.decode().splitlines()
    assert body[0] == "payslip,employee,department,payout_target,bank_account,days_paid,gross,deductions,net"
    assert [row.split(",")[1:] for row in body[1:]] == [
        ["Alice No0", "Sales", "wallet", "", "30/30", "2500.00", "0.00", "2500.00"],
        ["Bob No1", "Workshop", "wallet", "", "30/30", "1800.00", "0.00", "1800.00"],
    ]


def test_employee_sees_a_payslip_only_once_issued(make_employee, approved_run, client_for, people, fund):
    employee = make_employee(base="100.00")
    run = approved_run()
    mine = client_for(employee.user)
    slip = run.payslips.get()
    assert mine.get(reverse("payroll:payslip-list")).json()["count"] == 0
    assert mine.get(reverse("payroll:payslip-detail", args=[slip.pk])).status_code == 404
    assert client_for(people["accountant"]).get(reverse("payroll:payslip-detail", args=[slip.pk])).status_code == 200
    fund("100.00")
    services.run_pay(run=run)
    assert mine.get(reverse("payroll:payslip-detail", args=[slip.pk])).json()["net"] == "100.00"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_identical_pay_requests_pay_once(people, client_for, make_employee, fund, approved_run):
    """A client retrying on a timeout: the same pay request twice at once. Without a key both are refused and
    nothing is paid; with one key the run is paid once and both answers are the paid run."""
    from django_wallet import selectors as wallet_selectors
    from django_wallet.models import Transaction
    from forecourt_core.racing import at_once

    make_employee(base="1000.00")
    business = fund("1000.00")
    run = approved_run()
    url = reverse("payroll:run-pay", args=[run.pk])

    keyless = at_once(lambda: client_for(people["dealer"]).post(url))
    assert [(r.status_code, r.json()["code"]) for r in keyless] == [(400, "idempotency_key_required")] * 2
    keyed = at_once(lambda: client_for(people["dealer"]).post(url, HTTP_IDEMPOTENCY_KEY="retry-1"))
    assert [r.status_code for r in keyed] == [200, 200] and keyed[0].json() == keyed[1].json()
    assert keyed[0].json()["status"] == "paid"
    assert Transaction.objects.filter(kind="payroll").count() == 1
    assert wallet_selectors.balance(business) == 0
