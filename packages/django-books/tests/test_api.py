import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django_books import services
from django_books.models import JournalEntry
from pypdf import PdfReader

pytestmark = pytest.mark.django_db
D = Decimal
ACCOUNTANT = ["books.view_ledgeraccount", "books.add_ledgeraccount", "books.change_ledgeraccount",
              "books.view_journalentry", "books.add_journalentry", "books.close_period", "books.view_reports",
              "books.view_booksprofile", "books.change_booksprofile", "books.view_vehiclecost",
              "books.add_vehiclecost", "books.view_vehiclesale"]


@pytest.fixture
def accountant(make_user, client_for):
    return client_for(make_user(*ACCOUNTANT))


def _manual_entry(client, debit="1000", credit="4900", amount="250.00", date="2026-11-05"):
    return client.post("/api/books/entries/", {"date": date, "memo": "manual", "lines": [
        {"account": debit, "debit": amount}, {"account": credit, "credit": amount}]}, format="json")


def test_the_accountant_sees_and_edits_the_chart(accountant):
    codes = [a["code"] for a in accountant.get("/api/books/accounts/").json()]
    assert codes[:2] == ["1000", "1010"] and "4000" in codes
    created = accountant.post("/api/books/accounts/", {"code": "6500", "name": "Advertising", "type": "expense"})
    assert created.status_code == 201 and created.json()["role"] is None
    renamed = accountant.patch("/api/books/accounts/6500/", {"name": "Marketing"}, format="json")
    assert renamed.json()["name"] == "Marketing"
    duplicate = accountant.post("/api/books/accounts/", {"code": "6500", "name": "Again", "type": "expense"})
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate_account"


def test_a_manual_entry_is_posted_and_reversed_never_edited(accountant):
    accountant.get("/api/books/accounts/")
    posted = _manual_entry(accountant)
    assert posted.status_code == 201
    body = posted.json()
    assert [(line["account"], line["debit"], line["credit"]) for line in body["lines"]] == [
        ("1000", "250.00", "0.00"), ("4900", "0.00", "250.00")]
    reversal = accountant.post(f"/api/books/entries/{body['id']}/reverse/", {"date": "2026-11-06"}, format="json")
    assert reversal.status_code == 201 and reversal.json()["reverses"] == body["id"]
    again = accountant.post(f"/api/books/entries/{body['id']}/reverse/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_reversed"
    assert accountant.put(f"/api/books/entries/{body['id']}/", {}, format="json").status_code == 403
    assert JournalEntry.objects.count() == 2


@pytest.mark.parametrize(("lines", "code"), [
    ([{"account": "1000", "debit": "10.00"}, {"account": "4900", "credit": "9.00"}], "unbalanced_entry"),
    ([{"account": "1000", "debit": "10.00", "credit": "10.00"}, {"account": "4900", "credit": "0"}],
     "unbalanced_entry"),
    ([{"account": "1000", "debit": "10.001"}, {"account": "4900", "credit": "10.001"}], "invalid_amount"),
    ([{"account": "9999", "debit": "10.00"}, {"account": "4900", "credit": "10.00"}], "validation_error"),
    ([{"account": "1000", "debit": "-10.00"}, {"account": "4900", "debit": "10.00"}], "invalid_amount"),
])
def test_bad_entries_are_a_4xx_with_a_code_and_nothing_is_stored(accountant, lines, code):
    accountant.get("/api/books/accounts/")
    response = accountant.post("/api/books/entries/", {"date": "2026-11-05", "lines": lines}, format="json")
    assert response.status_code == 400 and response.json()["code"] == code
    assert not JournalEntry.objects.exists()


def test_a_closed_period_is_a_409(accountant):
    accountant.get("/api/books/accounts/")
    assert accountant.post("/api/books/periods/close/", {"through": "2026-10-31"}).status_code == 201
    assert accountant.get("/api/books/periods/close/").json() == {"closed_through": "2026-10-31"}
    refused = _manual_entry(accountant, date="2026-10-31")
    assert refused.status_code == 409 and refused.json()["code"] == "period_closed"


def test_reports_as_json_and_csv(accountant):
    services.sale_post(key="s:1", gross=D("1200.00"), sold_on=dt.date(2026, 11, 3), description="Car",
                       source_type="sale", source_id=1, paid_into="cash")
    trial = accountant.get("/api/books/reports/trial-balance/").json()
    assert trial["total_debit"] == trial["total_credit"] == "1200.00"
    pnl = accountant.get("/api/books/reports/profit-and-loss/?date_from=2026-11-01&date_to=2026-11-30").json()
    assert pnl["net_profit"] == "1000.00"
    sheet = accountant.get("/api/books/reports/balance-sheet/?as_of=2026-11-30").json()
    assert sheet["difference"] == "0.00" and sheet["total_assets"] == "1200.00"
    vat = accountant.get("/api/books/reports/vat-return/?date_from=2026-11-01&date_to=2026-11-30").json()
    assert vat["output_vat"] == "200.00"
    ledger = accountant.get("/api/books/reports/general-ledger/2100/").json()
    assert ledger["closing"] == "200.00"
    rows = list(csv.reader(io.StringIO(accountant.get("/api/books/reports/trial-balance/csv/").content.decode())))
    assert rows[0] == ["code", "name", "type", "debit", "credit"]
    assert rows[-1] == ["", "total", "", "1200.00", "1200.00"]
    bad = accountant.get("/api/books/reports/profit-and-loss/?date_from=2026-12-01&date_to=2026-11-01")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_date_range"


def test_the_invoice_pdf_shows_the_dealership_the_number_and_the_vat(accountant):
    services.profile_update(vat_rate="20")
    sale, _ = services.sale_post(key="s:1", gross=D("1200.00"), sold_on=dt.date(2026, 11, 3),
                                 description="2019 Ford Focus", customer_name="Ann Buyer", source_type="sale",
                                 source_id=1, paid_into="cash")
    response = accountant.get(f"/api/books/sales/{sale.invoice_number}/invoice.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    for expected in ("Test Motors Ltd", "1 Forecourt Way", "GB123456789", "Invoice 1", "Ann Buyer",
                     "2019 Ford Focus", "1000.00", "VAT 20.00%", "200.00", "1200.00"):
        assert expected in text
    assert accountant.get("/api/books/sales/2/invoice.pdf").status_code == 404


def test_vehicle_costs_by_api(accountant):
    accountant.get("/api/books/accounts/")
    posted = accountant.post("/api/books/vehicles/7/costs/", {"kind": "acquisition", "amount": "5000.00",
                                                             "incurred_on": "2026-11-01"})
    assert posted.status_code == 201
    again = accountant.post("/api/books/vehicles/7/costs/", {"kind": "acquisition", "amount": "5000.00",
                                                            "incurred_on": "2026-11-01"})
    assert again.status_code == 409 and again.json()["code"] == "duplicate_acquisition"
    assert [c["amount"] for c in accountant.get("/api/books/vehicles/7/costs/").json()] == ["5000.00"]


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/books/accounts/"), ("post", "/api/books/entries/"), ("get", "/api/books/reports/trial-balance/"),
    ("post", "/api/books/periods/close/"), ("patch", "/api/books/profile/"), ("get", "/api/books/sales/"),
])
def test_without_the_permission_every_endpoint_is_refused(make_user, client_for, method, path):
    client = client_for(make_user())
    assert getattr(client, method)(path, {}, format="json").status_code == 403


def test_a_viewer_of_entries_cannot_post_or_close(make_user, client_for):
    client = client_for(make_user("books.view_journalentry"))
    assert client.get("/api/books/entries/").status_code == 200
    assert _manual_entry(client).status_code == 403
    assert client.post("/api/books/periods/close/", {"through": "2026-10-31"}).status_code == 403
