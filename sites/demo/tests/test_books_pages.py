"""The books pages through the test client: who may open them, what a refused input does, and the
links between a business event's page and its journal entry."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.conftest import host_client
from tests.test_marketplace import _listed_dealer_car

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def accountant(dealer1, make_user):
    from tenancy.services import membership_grant

    user = make_user()
    membership_grant(user=user, dealership=dealer1, role="accountant")
    return host_client("dealer1.localhost", user)


def _entries():
    from django_books.models import JournalEntry

    with schema_context("dealer1"):
        return list(JournalEntry.objects.order_by("id"))


def test_only_the_books_roles_open_the_books(dealer1, dealer2, make_user, accountant):
    from tenancy.services import membership_grant

    staff, outsider = make_user(), make_user()
    membership_grant(user=staff, dealership=dealer1, role="dealer_staff")
    membership_grant(user=outsider, dealership=dealer2, role="accountant")
    for path in ("/books/", "/books/accounts/", "/books/reports/trial-balance/", "/books/settings/"):
        assert accountant.get(path).status_code == 200, path
        assert host_client("dealer1.localhost", staff).get(path).status_code == 403, path
        assert host_client("dealer1.localhost", outsider).get(path).status_code == 403, path
    assert accountant.get("/books/reports/no-such-report/").status_code == 404


def test_a_posted_entry_is_shown_and_a_refused_one_changes_nothing(accountant):
    today = timezone.localdate().isoformat()
    done = accountant.post("/books/", {"action": "entry", "debit": "6900", "credit": "1000", "amount": "12.50",
                                       "date": today, "memo": "Stamps"}, follow=True)
    assert done.status_code == 200 and b"Stamps" in done.content and b"6900 Other expenses" in done.content
    for amount in ("abc", "1.001", "-5", "NaN"):
        refused = accountant.post("/books/", {"action": "entry", "debit": "6900", "credit": "1000",
                                              "amount": amount, "date": today}, follow=True)
        assert refused.status_code == 200 and b"invalid_amount" in refused.content
    assert len(_entries()) == 1


def test_closing_a_period_refuses_an_entry_in_it_on_the_page(accountant):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert b"closed through" in accountant.post("/books/", {"action": "close", "through": yesterday},
                                                follow=True).content
    refused = accountant.post("/books/", {"action": "entry", "debit": "6900", "credit": "1000", "amount": "1.00",
                                          "date": yesterday}, follow=True)
    assert b"period_closed" in refused.content and _entries() == []


def test_a_report_downloads_as_csv(accountant):
    from django_books import services as books

    with schema_context("dealer1"):
        books.sale_post(key="s:1", gross=D("600.00"), sold_on=timezone.localdate(), description="Car",
                        source_type="lead_sale", source_id=1, paid_into="cash")
    response = accountant.get("/books/reports/profit-and-loss/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines()[-1] == ",,net profit,500.00"


def test_the_sales_page_links_each_sale_to_its_entry_and_invoice(dealer1, dealer1_staff, funded_buyer, make_user,
                                                                  accountant, deliver_events):
    from django_car_listing.services import car_buy
    from tenancy.services import membership_grant

    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    car_buy(buyer=funded_buyer, store_key="dealer1", car_id=car.pk)
    deliver_events()
    (entry,) = _entries()
    dealer = make_user()
    membership_grant(user=dealer, dealership=dealer1, role="dealer")
    page = host_client("dealer1.localhost", dealer).get("/sales/").content.decode()
    assert "Entry" not in host_client("dealer1.localhost", dealer1_staff).get("/sales/").content.decode()
    assert f'href="/books/entries/{entry.pk}/"' in page and 'href="/books/invoices/1.pdf"' in page
    shown = accountant.get(f"/books/entries/{entry.pk}/").content.decode()
    assert "Invoice <strong>1</strong>" in shown and "wallet_transaction" in shown
    assert accountant.get("/books/invoices/1.pdf")["Content-Type"] == "application/pdf"


def test_a_won_leads_page_links_its_sale_and_commission_entries(dealer1, dealer1_staff, make_user, deliver_events):
    from tenancy.services import membership_grant
    from tests.test_books import _offline_win

    agent, dealer = make_user(), make_user()
    membership_grant(user=agent, dealership=dealer1, role="sales_agent")
    membership_grant(user=dealer, dealership=dealer1, role="dealer")
    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    sale = _offline_win(car, agent, price="7000.00", sold_on=timezone.localdate())
    deliver_events()
    entries = _entries()
    assert len(entries) == 2  # the sale and its commission accrued
    page = host_client("dealer1.localhost", dealer).get(f"/leads/{sale.lead_id}/").content.decode()
    assert all(f'href="/books/entries/{e.pk}/"' in page for e in entries)
    agent_page = host_client("dealer1.localhost", agent).get(f"/leads/{sale.lead_id}/").content.decode()
    assert "In the books" not in agent_page  # an agent reads leads, not the books


def test_another_dealerships_entry_is_not_found_here(accountant):
    from django_books import services as books

    with schema_context("dealer2"):
        theirs, _ = books.entry_post(date=timezone.localdate(), lines=[books.debit("cash", D("5.00")),
                                                                       books.credit("equity", D("5.00"))])
    assert not any(e.pk == theirs.pk for e in _entries())
    assert accountant.get(f"/books/entries/{theirs.pk}/").status_code == 404
