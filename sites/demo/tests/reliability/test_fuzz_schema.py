"""The schema the fuzzer trusts: one per host, and every operation documents its errors in the error shape."""
import pytest

from tests.conftest import host_client


def _schema(host):
    response = host_client(host).get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
def test_each_host_documents_its_own_urls():
    public, dealer = _schema("localhost")["paths"], _schema("dealer1.localhost")["paths"]
    assert "/api/dealerships/" in public and "/api/marketplace/contact/" in public
    assert not any(p.startswith(("/api/leads/", "/api/hr/", "/api/payroll/", "/api/books/")) for p in public)
    assert not any(p.startswith("/api/accounting/") for p in dealer)  # payroll's old books: django-books now
    assert "/api/leads/" in dealer and "/api/payroll/runs/" in dealer
    assert "/api/dealerships/" not in dealer
    assert "/api/cars/" in public and "/api/cars/" in dealer


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["localhost", "dealer1.localhost"])
def test_every_operation_documents_errors_in_the_error_shape(host):
    spec = _schema(host)
    error = spec["components"]["schemas"]["ApiError"]
    assert set(error["required"]) == {"code", "message"}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            errors = {code: r for code, r in operation["responses"].items() if code.startswith(("4", "5"))}
            assert {"401", "503"} <= set(errors), (method, path)
            for code, response in errors.items():
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ApiError"}, (method, path, code)
            if method != "get":
                assert {"400", "409"} <= set(errors), (method, path)
            if "{" in path:
                assert "404" in errors, (method, path)


def _ok_schema(spec, path, method="get"):
    responses = spec["paths"][path][method]["responses"]
    content = (responses.get("200") or responses["201"])["content"]
    schema = content["application/json"]["schema"]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


@pytest.mark.django_db
@pytest.mark.parametrize(("host", "path"), [
    ("localhost", "/api/wallet/credit-requests/"), ("localhost", "/api/wallet/charge-sales/"),
    ("localhost", "/api/wallet/accounts/{id}/statement/"), ("localhost", "/api/notifications/"),
    ("localhost", "/api/trading/stocks/"), ("dealer1.localhost", "/api/leads/sales/"),
    ("dealer1.localhost", "/api/leads/commissions/"), ("dealer1.localhost", "/api/hr/employees/"),
    ("dealer1.localhost", "/api/payroll/runs/"), ("dealer1.localhost", "/api/payroll/payslips/"),
    ("dealer1.localhost", "/api/books/entries/"),
])
def test_paginated_lists_are_documented_as_pages(host, path):
    """Found by the fuzzer: these views paginate by hand, and the schema promised a bare array."""
    schema = _ok_schema(_schema(host), path)
    assert schema["type"] == "object" and "results" in schema["properties"], schema


@pytest.mark.django_db
def test_documented_shapes_the_fuzzer_found_wrong():
    dealer = _schema("dealer1.localhost")
    assert _ok_schema(dealer, "/api/payroll/tax-bands/")["properties"]["bands"]["type"] == "array"
    assert _ok_schema(dealer, "/api/cars/{id}/images/reorder/", "post")["type"] == "array"
    csv = dealer["paths"]["/api/books/reports/profit-and-loss/csv/"]["get"]["responses"]["200"]["content"]
    assert "text/csv" in csv
    email = _ok_schema(dealer, "/api/auth/me/")["properties"]["email"]
    assert "format" not in email  # a user without an address has ""
