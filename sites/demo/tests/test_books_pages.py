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


def _dealer(dealer1, make_user, role="dealer"):
    from tenancy.services import membership_grant

    user = make_user()
    membership_grant(user=user, dealership=dealer1, role=role)
    return host_client("dealer1.localhost", user)


def test_the_payroll_run_page_links_its_entry(dealer1, make_user, accountant):
    from django_payroll import services as payroll
    from django_wallet import services as wallet

    wallet.deposit(account=wallet.account_for(dealer1), amount=D("10000.00"))
    with schema_context("dealer1"):
        employee = payroll.employee_create(first_name="Eve", last_name="Mech", hire_date=dt.date(2020, 1, 1),
                                           user=make_user(), department="Workshop")
        payroll.salary_create(employee=employee, effective_from=dt.date(2020, 1, 1), base_salary=D("3000.00"))
        run = payroll.run_create(period=timezone.localdate().replace(day=1))
        page = accountant.get(f"/payroll/{run.pk}/").content.decode()
        assert "In the books" not in page  # nothing posted before it is paid
        run = payroll.run_pay(run=payroll.run_approve(run=payroll.run_calculate(run=run)))
    entry = next(e for e in _entries() if e.key == f"payroll-run:{run.pk}")
    page = accountant.get(f"/payroll/{run.pk}/").content.decode()
    assert f'In the books: <a href="/books/entries/{entry.pk}/">entry {entry.pk}</a>' in page
    hr = _dealer(dealer1, make_user, role="hr")
    assert "In the books" not in hr.get(f"/payroll/{run.pk}/").content.decode()  # HR does not read the books


def test_the_money_statement_links_each_movement_to_its_entry(dealer1, dealer1_staff, funded_buyer, make_user,
                                                              accountant, deliver_events):
    import re

    from django_car_listing.services import car_buy
    from django_wallet import services as wallet

    wallet.deposit(account=wallet.account_for(dealer1), amount=D("500.00"), memo="Owner top-up")
    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    car_buy(buyer=funded_buyer, store_key="dealer1", car_id=car.pk)
    deliver_events()
    keys = {e.key: e.pk for e in _entries()}
    sale_entry = keys[next(k for k in keys if k.startswith("car-sale:"))]
    top_up_entry = keys[next(k for k in keys if k.startswith("wallet:"))]

    html = accountant.get("/money/").content.decode()
    rows = re.findall(r'<tr><td data-label="Date">.*?</tr>', html, re.S)
    by_what = {re.search(r'data-label="What">([^<]*)<', r).group(1): r for r in rows}
    assert f'href="/books/entries/{top_up_entry}/"' in by_what["Owner top-up"]
    (sale_row,) = [r for what, r in by_what.items() if what != "Owner top-up"]
    assert f'href="/books/entries/{sale_entry}/"' in sale_row and 'href="/books/invoices/1.pdf"' in sale_row
    assert accountant.get(f"/books/entries/{top_up_entry}/").status_code == 200


def test_a_paid_commission_links_its_payment_entry(dealer1, dealer1_staff, make_user, accountant, deliver_events):
    from django_leads.models import Commission
    from django_wallet import services as wallet
    from tenancy.services import membership_grant
    from tests.test_books import _offline_win

    agent = make_user()
    membership_grant(user=agent, dealership=dealer1, role="sales_agent")
    wallet.deposit(account=wallet.account_for(dealer1), amount=D("1000.00"))
    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    _offline_win(car, agent, price="7000.00", sold_on=timezone.localdate())
    deliver_events()
    with schema_context("dealer1"):
        commission = Commission.objects.get()
    paid = accountant.post(f"/commissions/{commission.pk}/pay/", follow=True).content.decode()
    assert "Commission of 250.00 paid to" in paid
    deliver_events()
    keys = {e.key: e.pk for e in _entries()}
    accrued_entry = keys[f"commission-accrued:{commission.uuid}"]
    paid_entry = keys[f"commission-paid:{commission.uuid}"]

    dealer = _dealer(dealer1, make_user)
    for client, path in ((accountant, "/commissions/"), (dealer, "/commissions/"), (dealer, "/sales/")):
        page = client.get(path).content.decode()
        assert f'href="/books/entries/{accrued_entry}/"' in page, path
        assert f'paid: <a href="/books/entries/{paid_entry}/">Entry {paid_entry}</a>' in page, path
    shown = accountant.get(f"/books/entries/{paid_entry}/").content.decode()
    assert "2100 Commissions payable" in shown or "Commissions payable" in shown
    agent_page = host_client("dealer1.localhost", agent).get("/commissions/").content.decode()
    assert "/books/entries/" not in agent_page  # an agent reads their commission, not the books


def _row(html: str, first_cell: str) -> str:
    """The table row whose first cell is ``first_cell``."""
    import re

    found = re.search(rf"<tr><td>{re.escape(first_cell)}</td>(.*?)</tr>", html, re.S)
    return found.group(1) if found else ""


def test_the_accountant_adds_and_renames_an_account_on_the_chart_page(accountant):
    added = accountant.post("/books/accounts/", {"action": "add", "code": "6500", "name": "Advertising",
                                                 "type": "expense"}, follow=True).content.decode()
    assert "Account 6500 added." in added
    assert _row(added, "6500").startswith("<td>Advertising</td><td>Expense</td>")
    renamed = accountant.post("/books/accounts/", {"action": "rename", "account": "6500", "name": "Marketing"},
                              follow=True).content.decode()
    assert "Account 6500 saved." in renamed
    assert _row(renamed, "6500").startswith("<td>Marketing</td><td>Expense</td>")
    assert "Advertising" not in accountant.get("/books/accounts/").content.decode()
    again = accountant.post("/books/accounts/", {"action": "add", "code": "6500", "name": "Again",
                                                 "type": "expense"}, follow=True).content.decode()
    assert "duplicate_account" in again and "Again" not in again
    # The new account is offered for a manual entry and shows in the journal once used.
    today = timezone.localdate().isoformat()
    posted = accountant.post("/books/", {"action": "entry", "debit": "6500", "credit": "1000", "amount": "80.00",
                                         "date": today, "memo": "Flyers"}, follow=True).content.decode()
    assert "6500 Marketing" in posted and "Flyers" in posted


def test_the_vehicle_page_books_costs_and_shows_the_margin_after_the_sale(dealer1, dealer1_staff, make_user,
                                                                          accountant, deliver_events):
    from django_books import services as books

    from tenancy.services import membership_grant
    from tests.test_books import _offline_win

    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    today = timezone.localdate().isoformat()
    with schema_context("dealer1"):
        books.profile_update(vat_rate="20")
    page = accountant.post(f"/books/vehicles/{car.pk}/", {"kind": "acquisition", "amount": "4000.00",
                                                          "incurred_on": today, "paid_from": "payables"},
                           follow=True).content.decode()
    assert "Cost booked." in page and 'id="vehicle-cost">$4,000.00<' in page
    page = accountant.post(f"/books/vehicles/{car.pk}/", {"kind": "reconditioning", "amount": "350.00",
                                                          "incurred_on": today, "paid_from": "cash",
                                                          "description": "Tyres"}, follow=True).content.decode()
    assert 'id="vehicle-cost">$4,350.00<' in page and "Tyres" in page and 'id="vehicle-margin"' not in page
    twice = accountant.post(f"/books/vehicles/{car.pk}/", {"kind": "acquisition", "amount": "1.00",
                                                           "incurred_on": today}, follow=True).content.decode()
    assert "duplicate_acquisition" in twice and 'id="vehicle-cost">$4,350.00<' in twice

    agent = make_user()
    membership_grant(user=agent, dealership=dealer1, role="sales_agent")
    _offline_win(car, agent, price="6000.00", sold_on=timezone.localdate())  # 5000.00 net of 20% VAT
    deliver_events()
    page = accountant.get(f"/books/vehicles/{car.pk}/").content.decode()
    assert "net $5,000.00, cost $4,350.00, gross margin <strong id=\"vehicle-margin\">$650.00</strong>" in page
    assert "Book a cost" not in page  # a sold car takes no more costs

    margins = accountant.get("/books/reports/vehicle-margins/").content.decode()
    (row,) = [r for r in margins.split("<tr>") if "VIN" in r and "<td" in r]
    assert f"<td>{car.pk}</td>" in row and ">$5,000.00<" in row and ">$4,350.00<" in row and ">$650.00<" in row


def test_the_general_ledger_page_shows_an_accounts_lines_and_balance(accountant):
    today = timezone.localdate().isoformat()
    for amount, memo in (("12.50", "Stamps"), ("7.50", "Coffee")):
        accountant.post("/books/", {"action": "entry", "debit": "6900", "credit": "1000", "amount": amount,
                                    "date": today, "memo": memo})
    page = accountant.get("/books/reports/general-ledger/?account=6900").content.decode()
    assert '<option value="6900" selected>' in page
    lines = [r for r in page.split("<tr>") if "Stamps" in r or "Coffee" in r]
    assert len(lines) == 2 and ">$12.50<" in lines[0] and ">$20.00<" in lines[1]  # the running balance
    assert "closing balance" in page and page.count(">$20.00<") == 2
    assert "Stamps" not in accountant.get("/books/reports/general-ledger/?account=4900").content.decode()
    csv_rows = accountant.get("/books/reports/general-ledger/?account=6900&format=csv").content.decode().splitlines()
    assert csv_rows[-1] == ",,closing balance,,,,,20.00"
