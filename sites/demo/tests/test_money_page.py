"""The dealership's money page: its own wallet's figures, statement pages and CSV, paying a member."""
import re
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from tests.conftest import host_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(dealer1, make_user):
    from django_wallet import services as wallet
    from tenancy.services import membership_grant

    people = {}
    for role in ("dealer", "accountant", "sales_agent", "hr"):
        people[role] = make_user(f"m-{role}")
        membership_grant(user=people[role], dealership=dealer1, role=role)
    wallet.deposit(account=wallet.account_for(dealer1), amount=Decimal("5000.00"), memo="Opening float")
    return people


def test_who_sees_the_money_page(shop):
    for role in ("dealer", "accountant"):
        page = host_client("dealer1.localhost", shop[role]).get("/money/")
        assert page.status_code == 200
        assert re.search(r'id="money-balance">5000.00', page.content.decode()), role
    for role in ("sales_agent", "hr"):
        assert host_client("dealer1.localhost", shop[role]).get("/money/").status_code == 403
    assert host_client("dealer2.localhost", shop["dealer"]).get("/money/").status_code == 403


def test_paying_a_member_moves_money_once_and_shows_on_the_statement(shop, dealer1, make_user):
    from django_wallet import selectors
    from django_wallet import services as wallet

    client = host_client("dealer1.localhost", shop["accountant"])
    agent = shop["sales_agent"]
    body = {"member": agent.pk, "amount": "120.50", "memo": "Fuel money", "idempotency_key": "k-1"}
    done = client.post("/money/pay/", body, follow=True).content.decode()
    assert "Paid 120.50 to m-sales_agent." in done
    client.post("/money/pay/", body)  # the same form sent twice pays once
    assert selectors.balance(wallet.account_for(agent)) == Decimal("120.50")
    assert selectors.balance(wallet.account_for(dealer1)) == Decimal("4879.50")
    page = client.get("/money/").content.decode()
    assert "Fuel money" in page and "Paid to a member" in page and 'id="money-available">4879.50' in page

    outsider = make_user("outsider")
    refused = client.post("/money/pay/", {"member": outsider.pk, "amount": "1.00"}, follow=True).content.decode()
    assert "Choose a member" in refused
    too_much = client.post("/money/pay/", {"member": agent.pk, "amount": "99999.00"}, follow=True).content.decode()
    assert "insufficient" in too_much.lower() or "too low" in too_much.lower()
    assert selectors.balance(wallet.account_for(dealer1)) == Decimal("4879.50")


def test_payroll_and_commission_payouts_are_on_the_statement_and_the_csv(shop, dealer1):
    import datetime as dt

    from django_leads import services as leads
    from django_payroll import services as payroll

    with schema_context("dealer1"):
        employee = payroll.employee_create(first_name="Pat", last_name="Payroll", hire_date=dt.date(2020, 1, 1),
                                           user=shop["hr"])
        payroll.salary_create(employee=employee, effective_from=dt.date(2020, 1, 1), base_salary=Decimal("1000.00"))
        run = payroll.run_calculate(run=payroll.run_create(period=dt.date(2026, 1, 1)))
        payroll.run_pay(run=payroll.run_approve(run=run))
        from django_car_listing import services as cars

        car = cars.car_create(actor=shop["dealer"], store_key="dealer1", make="Skoda", model="Octavia", year=2018,
                              price=Decimal("9500.00"), vin="1M8GDM9AXKP042788")
        leads.commission_rule_set(kind="flat", amount=Decimal("75.00"), role="sales_agent")
        lead = leads.lead_create(car=car, contact_name="Cash Buyer", agent=shop["sales_agent"])
        for step in ("contacted", "qualified", "negotiating"):
            lead = leads.lead_update_status(lead=lead, status=step)
        leads.lead_update_status(lead=lead, status="won", agreed_price=Decimal("9000.00"), payment="offline")
        from django_leads.models import Commission

        leads.commission_payout(commission=Commission.objects.get())
    client = host_client("dealer1.localhost", shop["dealer"])
    page = client.get("/money/").content.decode()
    assert re.search(r'class="entry-kind">Payroll paid<', page)
    assert re.search(r'class="entry-kind">Commission paid<', page)
    csv_text = client.get("/money/statement.csv").content.decode()
    lines = csv_text.strip().splitlines()
    assert lines[0] == "date,kind,what,amount,balance_after,transaction"
    assert any(",payroll," in line for line in lines) and any(",commission," in line for line in lines)
    assert any(",-75.00," in line for line in lines)


def test_the_statement_pages_by_cursor_without_gaps_or_repeats(shop, dealer1, settings):
    from django_wallet import services as wallet

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "PAGE_SIZE": 4}  # the one page size of every list
    for n in range(9):
        wallet.deposit(account=wallet.account_for(dealer1), amount=Decimal("1.00"), memo=f"line {n}")
    client = host_client("dealer1.localhost", shop["dealer"])
    seen, url = [], "/money/"
    while url:
        html = client.get(url).content.decode()
        seen += re.findall(r"<td data-label=\"What\">([^<]+)</td>", html)
        found = re.search(r'<a href="http://dealer1\.localhost([^"]+)" rel="next">Older</a>', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == [f"line {n}" for n in reversed(range(9))] + ["Opening float"]
    bad = client.get("/money/?cursor=not-a-cursor", follow=True).content.decode()
    assert "not valid" in bad


@pytest.mark.parametrize("cursor", ["cD1ub3RhZGF0ZQ==", "cD0yMDI2LTAyLTMwVDAwOjAwOjAw"])  # p=notadate, p=2026-02-30...
def test_a_forged_statement_cursor_is_refused_like_a_malformed_one(shop, dealer1, cursor):
    client = host_client("dealer1.localhost", shop["dealer"])
    response = client.get("/money/", {"cursor": cursor})
    assert (response.status_code, response["Location"]) == (302, "/money/")
    assert "not valid" in client.get(response["Location"]).content.decode()
