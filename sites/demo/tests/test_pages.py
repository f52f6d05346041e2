"""Fast Django-client tests of the server-rendered pages (real PostgreSQL, django-tenants hosts)."""
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from django_car_listing import selectors as cars
from django_car_listing import services as car_services
from django_wallet import selectors as wallet_selectors
from django_wallet import services as wallet
from tests.conftest import host_client

VIN = "1M8GDM9AXKP042788"
VIN2 = "1HGCM82633A004352"
pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user("platform-admin", is_staff=True)


def _listed(seller, admin, vin=VIN, price="3000.00"):
    car = car_services.car_create(actor=seller, store_key="", make="Saab", model="9-3", year=2008,
                                  price=Decimal(price), vin=vin)
    car_services.car_verify(actor=admin, store_key="", car_id=car.pk)
    return car_services.car_put_on_sale(actor=seller, store_key="", car_id=car.pk)


def test_signup_signs_in_and_opens_a_wallet():
    client = host_client("localhost")
    page = client.get("/accounts/signup/")
    assert page.status_code == 200 and b'name="csrfmiddlewaretoken"' in page.content
    response = client.post("/accounts/signup/", {"username": "newbie", "password": "a-Strong-passw0rd"})
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newbie")
    assert len(wallet_selectors.accounts_of(user)) == 1
    assert b"newbie" in client.get("/").content


def test_signup_weak_password_is_a_form_error_not_a_500():
    response = host_client("localhost").post("/accounts/signup/", {"username": "weak", "password": "123"})
    assert response.status_code == 200
    assert b"too short" in response.content.lower() or b"too common" in response.content.lower()
    assert not get_user_model().objects.filter(username="weak").exists()


def test_login_and_logout(make_user):
    make_user("sam")
    client = host_client("localhost")
    bad = client.post("/accounts/login/", {"username": "sam", "password": "wrong"})
    assert b"do not match" in bad.content
    assert client.post("/accounts/login/", {"username": "sam", "password": "a-Strong-passw0rd"}).status_code == 302
    assert b"Sign out" in client.get("/").content
    assert client.post("/accounts/logout/").status_code == 302
    assert b"Sign in" in client.get("/").content


def test_forms_need_the_csrf_token(make_user):
    user = make_user()
    client = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post("/me/wallet/transfer/", {"to_username": "x", "amount": "1"}).status_code == 403


def test_search_filters_sorts_and_hides_returned_cars(make_user, admin, django_assert_max_num_queries):
    seller = make_user("seller")
    saab = _listed(seller, admin)
    _listed(seller, admin, vin=VIN2, price="9000.00")
    client = host_client("localhost")
    with django_assert_max_num_queries(12):
        page = client.get("/", {"sort": "-price"})
    body = page.content.decode()
    assert "2 cars found" in body and body.index("$9,000.00") < body.index("$3,000.00")
    assert "1 car found" in client.get("/", {"price_max": "5000"}).content.decode()
    assert "1 car found" in client.get("/", {"q": "saab", "price_min": "1000", "price_max": "4000"}).content.decode()
    bad = client.get("/", {"year_min": "abc"})
    assert bad.status_code == 200  # invalid filters are shown on the form, never a 500

    owner = host_client("localhost", seller)
    owner.post(f"/me/cars/{saab.pk}/action/", {"action": "return_from_sale"})
    assert "1 car found" in client.get("/").content.decode()


def test_seller_creates_a_car_and_puts_it_on_sale(make_user):
    seller = make_user("seller")
    client = host_client("localhost", seller)
    response = client.post("/me/cars/new/", {
        "make": "Volvo", "model": "V70", "year": 2012, "price": "7500.00", "mileage": 120000, "vin": VIN,
        "body_type": "wagon", "fuel": "diesel", "transmission": "manual", "sale_type": "fixed"})
    assert response.status_code == 302
    car = cars.store_cars(store_key="", owner=seller).results[0]
    client.post(f"/me/cars/{car.pk}/action/", {"action": "put_on_sale", "price": "7400.00"})
    page = client.get(f"/me/cars/{car.pk}/").content.decode()
    assert "On sale" in page and "$7,400.00" in page and "Created" in page


def test_invalid_vin_is_shown_on_the_form(make_user):
    client = host_client("localhost", make_user())
    response = client.post("/me/cars/new/", {
        "make": "Volvo", "model": "V70", "year": 2012, "price": "7500.00", "mileage": 0, "vin": "BAD",
        "body_type": "wagon", "fuel": "diesel", "transmission": "manual", "sale_type": "fixed"})
    assert response.status_code == 200 and b"role=\"alert\"" in response.content


def test_buy_moves_money_and_ownership(make_user, admin):
    seller, buyer = make_user("seller"), make_user("buyer")
    car = _listed(seller, admin)
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("5000.00"))
    client = host_client("localhost", buyer)
    confirm = client.get(f"/cars/{car.pk}/buy/").content.decode()
    assert "Confirm purchase" in confirm and "$5,000.00" in confirm
    response = client.post(f"/cars/{car.pk}/buy/", {"idempotency_key": "k1"}, follow=True)
    assert "You bought" in response.content.decode()
    assert wallet_selectors.balance(wallet.account_for(seller)) == Decimal("3000.00")
    assert wallet_selectors.balance(wallet.account_for(buyer)) == Decimal("2000.00")
    again = client.get(f"/cars/{car.pk}/")
    assert again.status_code == 200  # the buyer owns it now
    assert host_client("localhost", seller).get(f"/cars/{car.pk}/").status_code == 404


def test_short_balance_is_refused_with_a_message_and_changes_nothing(make_user, admin):
    seller, buyer = make_user("seller"), make_user("buyer")
    car = _listed(seller, admin)
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("100.00"))
    client = host_client("localhost", buyer)
    assert "lower than the price" in client.get(f"/cars/{car.pk}/buy/").content.decode()
    page = client.post(f"/cars/{car.pk}/buy/", {"idempotency_key": "k2"}, follow=True).content.decode()
    assert "available balance is too low" in page and 'data-code="insufficient_funds"' in page
    assert wallet_selectors.balance(wallet.account_for(buyer)) == Decimal("100.00")
    assert cars.car_get(store_key="", car_id=car.pk).is_for_sale


def test_wallet_page_statement_csv_and_transfer(make_user):
    alice, bob = make_user("alice"), make_user("bob")
    wallet.deposit(account=wallet.account_for(alice), amount=Decimal("50.00"), memo="top up")
    client = host_client("localhost", alice)
    assert "50.00" in client.get("/me/wallet/").content.decode()
    client.post("/me/wallet/transfer/", {"to_username": "bob", "amount": "20.00", "idempotency_key": "t1"})
    assert wallet_selectors.balance(wallet.account_for(bob)) == Decimal("20.00")
    refused = client.post("/me/wallet/transfer/", {"to_username": "bob", "amount": "500", "idempotency_key": "t2"},
                          follow=True).content.decode()
    assert "too low" in refused
    csv_body = client.get("/me/wallet/statement.csv").content.decode()
    assert csv_body.splitlines()[0].startswith("date,kind") and "-20.00" in csv_body
    assert "top up" not in client.get("/me/wallet/statement.csv", {"date_to": "2000-01-01"}).content.decode()


def test_staff_verify_queue_and_credit_requests(make_user, admin):
    seller = make_user("seller")
    car = car_services.car_create(actor=seller, store_key="", make="Saab", model="9-5", year=2009,
                                  price=Decimal("4000.00"), vin=VIN)
    assert host_client("localhost", seller).get("/staff/verification/").status_code == 403
    staff = host_client("localhost", admin)
    assert VIN in staff.get("/staff/verification/").content.decode()
    staff.post(f"/staff/verification/{car.pk}/", {"action": "verify"})
    assert cars.car_get(store_key="", car_id=car.pk, user=admin).verification_status == "verified"
    host_client("localhost", seller).post("/me/wallet/credit/", {"amount": "250.00", "note": "stock"})
    page = staff.get("/staff/credit/").content.decode()
    assert "250.00" in page
    from django_wallet.models import CreditRequest

    key = re.search(r'name="idempotency_key" value="(\w+)"', page).group(1)  # the page's one-time key
    form = {"id": CreditRequest.objects.get().pk, "action": "approve", "idempotency_key": key}
    first = staff.post("/staff/credit/", form, follow=True).content.decode()
    second = staff.post("/staff/credit/", form, follow=True).content.decode()  # a double submit
    assert "approved" in first and "approved" in second and "already decided" not in second
    assert wallet_selectors.balance(wallet.account_for(seller)) == Decimal("250.00")


def test_a_dealer1_member_is_refused_on_dealer2(make_user, dealer1, dealer2):
    from tenancy.services import membership_grant

    agent = make_user("agent1")
    membership_grant(user=agent, dealership=dealer1, role="sales_agent")
    assert host_client("dealer1.localhost", agent).get("/leads/").status_code == 200
    refused = host_client("dealer2.localhost", agent).get("/leads/")
    assert refused.status_code == 403 and b"not a member" in refused.content
    assert host_client("dealer2.localhost").get("/leads/").status_code == 302  # anonymous: sign in first


def test_role_without_permission_gets_the_403_page(make_user, dealer1):
    from tenancy.services import membership_grant

    hr = make_user("hr1")
    membership_grant(user=hr, dealership=dealer1, role="hr")
    page = host_client("dealer1.localhost", hr).get("/inventory/")
    assert page.status_code == 403 and b"does not allow" in page.content


def test_marketplace_pages_are_404_on_a_dealership_host(make_user, dealer1):
    from tenancy.services import membership_grant

    user = make_user()
    membership_grant(user=user, dealership=dealer1, role="dealer")
    assert host_client("dealer1.localhost", user).get("/me/wallet/").status_code == 404


def test_static_files_are_served_by_whitenoise_on_every_host():
    for host in ("localhost", "dealer1.localhost"):
        client = host_client(host)
        css = client.get("/static/site/site.css")
        assert css.status_code == 200 and b"{" in b"".join(css.streaming_content)
        assert client.get("/static/django_notifications/bell.js").status_code == 200
    assert host_client("localhost").get("/static/../demo/settings/base.py").status_code == 404


def _member(make_user, dealership, role, name):
    from tenancy.services import membership_grant

    user = make_user(name)
    membership_grant(user=user, dealership=dealership, role=role)
    return user


def test_leads_board_moves_a_lead_through_the_service(make_user, dealer1, django_assert_max_num_queries):
    from django_tenants.utils import schema_context

    from django_leads import services as leads
    from django_leads.models import Lead

    dealer = _member(make_user, dealer1, "dealer", "boss")
    agent = _member(make_user, dealer1, "sales_agent", "agent")
    other = _member(make_user, dealer1, "sales_agent", "other-agent")
    with schema_context("dealer1"):
        car = car_services.car_create(actor=dealer, store_key="dealer1", make="Audi", model="A4", year=2019,
                                      price=Decimal("21000.00"), vin=VIN)
        leads.agent_upsert(user=agent)
        lead = leads.lead_create(car=car, contact_name="Walk In", by=dealer, agent=agent)
        for _ in range(5):
            leads.lead_create(car=car, contact_name="More", by=dealer, agent=agent)
    client = host_client("dealer1.localhost", agent)
    with django_assert_max_num_queries(15):
        board = client.get("/leads/").content.decode()
    assert "Move to Contacted" in board
    client.post(f"/leads/{lead.pk}/move/", {"status": "contacted"})
    bad = client.post(f"/leads/{lead.pk}/move/", {"status": "won"}, follow=True).content.decode()
    assert 'class="msg msg-error"' in bad  # contacted -> won is not in the pipeline
    refused = host_client("dealer1.localhost", other).post(f"/leads/{lead.pk}/move/", {"status": "qualified"})
    assert refused.status_code == 404  # another agent's lead is not visible to them: not found, as in the API
    with schema_context("dealer1"):
        assert Lead.objects.get(pk=lead.pk).status == "contacted"
    dash = host_client("dealer1.localhost", dealer).get("/").content.decode()
    assert 'id="chart-data"' in dash and '"Contacted": 1' in dash


def test_payroll_pages_follow_the_roles(make_user, dealer1):
    import datetime as dt

    from django_tenants.utils import schema_context

    from django_payroll import services as payroll
    from django_payroll.models import PayrollRun

    accountant = _member(make_user, dealer1, "accountant", "acc")
    hr = _member(make_user, dealer1, "hr", "hr")
    worker = _member(make_user, dealer1, "broker", "worker")
    with schema_context("dealer1"):
        employee = payroll.employee_create(first_name="Ann", last_name="Smith", hire_date=dt.date(2020, 1, 1),
                                           user=worker)
        payroll.salary_create(employee=employee, effective_from=dt.date(2020, 1, 1), base_salary=Decimal("2000"))
    assert "Ann" in host_client("dealer1.localhost", hr).get("/employees/").content.decode()
    assert host_client("dealer1.localhost", hr).get("/payroll/").status_code == 403
    acc = host_client("dealer1.localhost", accountant)
    acc.post("/payroll/", {"period": "2026-01"})
    with schema_context("dealer1"):
        run = PayrollRun.objects.get()
    acc.post(f"/payroll/{run.pk}/action/", {"action": "calculate"})
    denied = acc.post(f"/payroll/{run.pk}/action/", {"action": "approve"}, follow=True).content.decode()
    assert "does not allow" in denied
    with schema_context("dealer1"):
        run.refresh_from_db()
        assert run.status == "calculated" and run.total_net > 0
        slip = run.payslips.get()
    # Not issued until paid: the employee cannot download it yet.
    assert host_client("dealer1.localhost", worker).get(f"/payslips/{slip.pk}.pdf").status_code == 404
    pdf = acc.get(f"/payslips/{slip.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_trading_page_and_charge_sale(make_user):
    user = make_user()
    wallet.deposit(account=wallet.account_for(user), amount=Decimal("30.00"))
    client = host_client("localhost", user)
    assert "Trading desk" in client.get("/me/trading/").content.decode()
    bad = client.post("/me/trading/", {"ticker": "NOPE", "side": "buy", "volume": "lots"}, follow=True)
    assert bad.status_code == 200 and b"msg-error" in bad.content
    ok = client.post("/me/wallet/charge/", {"phone": "+442079460958", "amount": "10.00", "idempotency_key": "c1"},
                     follow=True).content.decode()
    assert "Charged $10.00" in ok
    assert wallet_selectors.balance(wallet.account_for(user)) == Decimal("20.00")
    short = client.post("/me/wallet/charge/", {"phone": "+442079460958", "amount": "99.00"}, follow=True)
    assert b"too low" in short.content


def test_trading_page_shows_cash_held_for_a_resting_buy(make_user):
    from django_trading import services as trading

    user = make_user()
    trading.trader_fund(username=user.get_username(), amount=Decimal("100.00"))
    ten = Decimal("10.00")
    trading.bars_ingest(bars=[{"ticker": "ACME", "open": ten, "high": ten, "low": ten, "close": ten, "volume": 50}])
    client = host_client("localhost", user)
    placed = client.post("/me/trading/", {"ticker": "ACME", "side": "buy", "volume": "5", "order_type": "limit",
                                          "limit_price": "9.00"}, follow=True).content.decode()
    assert "resting" in placed and "55.00 free; the rest is held for resting buys" in placed
    refused = client.post("/me/trading/", {"ticker": "ACME", "side": "buy", "volume": "10", "order_type": "limit",
                                           "limit_price": "9.00"}, follow=True)
    assert b"msg-error" in refused.content


def test_lead_assignment_and_the_old_accounting_page_leads_to_the_books(make_user, dealer1):
    from django_tenants.utils import schema_context

    from django_leads import services as leads
    from django_leads.models import Lead

    dealer = _member(make_user, dealer1, "dealer", "boss")
    agent = _member(make_user, dealer1, "sales_agent", "agent")
    accountant = _member(make_user, dealer1, "accountant", "acc")
    with schema_context("dealer1"):
        leads.agent_upsert(user=agent)
        lead = leads.lead_create(car=None, contact_name="Phone Caller", contact_phone="+442079460958", by=dealer)
    boss = host_client("dealer1.localhost", dealer)
    assert "Assign to" in boss.get(f"/leads/{lead.pk}/").content.decode()
    boss.post(f"/leads/{lead.pk}/assign/", {"agent": agent.pk})
    assert host_client("dealer1.localhost", agent).post(f"/leads/{lead.pk}/assign/", {"agent": ""}).status_code == 403
    with schema_context("dealer1"):
        assert Lead.objects.get(pk=lead.pk).agent_id == agent.pk
    # Income and expenses are the books' now: the old page's address lands on them, the menu names them.
    acc = host_client("dealer1.localhost", accountant)
    moved = acc.get("/accounting/")
    assert (moved.status_code, moved["Location"]) == (301, "/books/")
    page = acc.get("/books/").content.decode()
    assert '<a href="/books/">Books</a>' in page and ">Accounting<" not in page


def test_save_and_contact_dealer_creates_a_lead_in_its_schema(make_user, admin, dealer1):
    from django_tenants.utils import schema_context

    from django_leads.models import Lead

    dealer = _member(make_user, dealer1, "dealer", "boss")
    staff = host_client("dealer1.localhost", dealer)
    staff.post("/inventory/new/", {
        "make": "Skoda", "model": "Octavia", "year": 2021, "price": "15000.00", "mileage": 30000, "vin": VIN2,
        "body_type": "wagon", "fuel": "diesel", "transmission": "manual", "sale_type": "fixed"})
    car = cars.store_cars(store_key="dealer1").results[0]
    staff.post(f"/inventory/{car.pk}/action/", {"action": "put_on_sale"})
    car_services.car_verify(actor=admin, store_key="dealer1", car_id=car.pk)
    buyer = make_user("buyer")
    client = host_client("localhost", buyer)
    page = client.get(f"/cars/dealer1/{car.pk}/").content.decode()
    assert "First Motors" in page and "Contact dealer" in page
    client.post(f"/cars/dealer1/{car.pk}/save/")
    assert "Skoda" in client.get("/me/saved/").content.decode()
    client.post(f"/cars/dealer1/{car.pk}/contact/", {"message": "Still available?"})
    again = client.post(f"/cars/dealer1/{car.pk}/contact/", {"message": "Any news?"}, follow=True)
    assert "Added to your earlier request" in again.content.decode()
    with schema_context("dealer1"):
        lead = Lead.objects.get()
        assert lead.buyer_id == buyer.pk and "Any news?" in lead.notes


def test_feature_is_paid_and_notifications_page_marks_read(make_user, admin):
    from django_notifications import selectors as inbox
    from django_notifications import services as notifications

    seller = make_user("seller")
    car = _listed(seller, admin)
    client = host_client("localhost", seller)
    short = client.post(f"/me/cars/{car.pk}/action/", {"action": "feature", "days": "3"}, follow=True)
    assert b"too low" in short.content
    wallet.deposit(account=wallet.account_for(seller), amount=Decimal("100.00"))
    client.post(f"/me/cars/{car.pk}/action/", {"action": "feature", "days": "3", "idempotency_key": "f1"})
    assert wallet_selectors.balance(wallet.account_for(seller)) == Decimal("85.00")
    assert "Featured" in host_client("localhost").get("/").content.decode()

    note = notifications.notify(recipient=seller, kind="test", title="Hello seller")
    page = client.get("/me/notifications/").content.decode()
    assert "Hello seller" in page and 'class="notifications-bell-count" data-count="1"' in page
    client.post("/me/notifications/", {"id": note.pk})
    assert inbox.unread_count(user=seller) == 0


def test_search_pagination_clamps_past_the_end(make_user, admin):
    seller = make_user("seller")
    _listed(seller, admin)
    body = host_client("localhost").get("/", {"page": "999"}).content.decode()
    assert "Saab" in body and "1 car found" in body


def _salary_post(**extra):
    data = {"effective_from": "2026-01-01", "base_salary": "2500.00", "include_commission": "on", "note": "",
            "comp-TOTAL_FORMS": "2", "comp-INITIAL_FORMS": "0", "comp-MIN_NUM_FORMS": "0", "comp-MAX_NUM_FORMS": "10",
            "comp-0-name": "Car allowance", "comp-0-kind": "earning", "comp-0-amount": "150.50",
            "comp-0-prorate": "on", "comp-1-name": "", "comp-1-kind": "earning", "comp-1-amount": ""}
    data.update(extra)
    return data


EMPLOYEE = {"first_name": "Bea", "last_name": "Jones", "position": "Mechanic", "department": "Workshop",
            "employment_type": "full_time", "hire_date": "2025-03-01", "payout_target": "wallet"}


def test_hr_creates_edits_and_pays_an_employee_in_its_own_schema(make_user, dealer1, dealer2,
                                                                  django_assert_max_num_queries):
    from django_tenants.utils import schema_context

    from django_payroll.models import Employee, SalaryComponent, SalaryStructure

    hr = _member(make_user, dealer1, "hr", "hr")
    linked = make_user("bea")
    client = host_client("dealer1.localhost", hr)
    form_page = client.get("/employees/").content.decode()
    assert 'id="id_hire_date"' in form_page and 'name="csrfmiddlewaretoken"' in form_page
    created = client.post("/employees/", {**EMPLOYEE, "username": "BEA"})
    assert created.status_code == 302
    with schema_context("dealer1"):
        employee = Employee.objects.get()
        assert employee.user_id == linked.pk and employee.hire_date.isoformat() == "2025-03-01"
    assert created.url == f"/employees/{employee.pk}/"

    client.post(f"/employees/{employee.pk}/salary/", _salary_post())
    raise_ = _salary_post(**{"effective_from": "2026-06-01", "base_salary": "2800.00", "comp-0-name": "Union",
                             "comp-0-kind": "deduction", "comp-0-amount": "20.00"})
    client.post(f"/employees/{employee.pk}/salary/", raise_)
    edited = client.post(f"/employees/{employee.pk}/", {**EMPLOYEE, "position": "Head mechanic", "username": "bea",
                                                        "status": "active", "termination_date": ""}, follow=True)
    assert "Employee Bea Jones saved." in edited.content.decode()
    with schema_context("dealer1"):
        employee.refresh_from_db()
        assert employee.position == "Head mechanic" and employee.user_id == linked.pk
        salaries = list(SalaryStructure.objects.order_by("effective_from"))
        assert [s.base_salary for s in salaries] == [Decimal("2500.00"), Decimal("2800.00")]
        assert [(c.name, c.kind, c.amount) for c in SalaryComponent.objects.order_by("structure__effective_from")] \
            == [("Car allowance", "earning", Decimal("150.50")), ("Union", "deduction", Decimal("20.00"))]
    with schema_context("dealer2"):
        assert not Employee.objects.exists() and not SalaryStructure.objects.exists()
    with django_assert_max_num_queries(15):
        page = client.get(f"/employees/{employee.pk}/").content.decode()
    assert "Salary history" in page and "$2,800.00" in page and "Car allowance: $150.50" in page
    assert "Union: -$20.00" in page


def test_hr_bad_input_shows_errors_and_writes_nothing(make_user, dealer1):
    import datetime as dt

    from django_tenants.utils import schema_context

    from django_payroll import services as payroll
    from django_payroll.models import Employee, SalaryStructure

    hr = _member(make_user, dealer1, "hr", "hr")
    client = host_client("dealer1.localhost", hr)
    missing = client.post("/employees/", {**EMPLOYEE, "hire_date": "", "username": "nobody-here"})
    body = missing.content.decode()
    assert missing.status_code == 200 and body.count('class="field-error" role="alert"') == 2
    assert "No user with this username." in body and 'value="Bea"' in body  # input kept
    # A package refusal (bank payout without an account) is a message on the form, not a 500.
    bank = client.post("/employees/", {**EMPLOYEE, "payout_target": "bank"})
    assert bank.status_code == 200 and 'data-code="invalid_employee"' in bank.content.decode()
    with schema_context("dealer1"):
        assert not Employee.objects.exists()
        employee = payroll.employee_create(first_name="Ann", last_name="Lee", hire_date=dt.date(2025, 1, 1))
        payroll.salary_create(employee=employee, effective_from=dt.date(2026, 1, 1), base_salary=Decimal("1000"))

    url = f"/employees/{employee.pk}/salary/"
    negative = client.post(url, _salary_post(base_salary="-5", effective_from="2026-02-01"))
    assert negative.status_code == 200 and "the digits 0-9, at most two decimal places" in negative.content.decode()
    half = client.post(url, _salary_post(**{"effective_from": "2026-02-01", "comp-0-amount": ""}))
    assert "A component needs an amount." in half.content.decode()
    twice = client.post(url, _salary_post(), follow=True)  # 2026-01-01 is taken
    assert twice.status_code == 200 and 'data-code="salary_exists"' in twice.content.decode()
    terminated = client.post(f"/employees/{employee.pk}/", {**EMPLOYEE, "status": "terminated",
                                                            "termination_date": ""})
    assert 'data-code="invalid_employee"' in terminated.content.decode()
    with schema_context("dealer1"):
        assert list(SalaryStructure.objects.values_list("base_salary", flat=True)) == [Decimal("1000.00")]
        assert Employee.objects.get().status == "active" and Employee.objects.get().first_name == "Ann"


def test_roles_without_hr_permissions_see_no_form_and_are_refused(make_user, dealer1):
    import datetime as dt

    from django_tenants.utils import schema_context

    from django_payroll import services as payroll
    from django_payroll.models import Employee, SalaryStructure

    agent = _member(make_user, dealer1, "sales_agent", "agent")
    accountant = _member(make_user, dealer1, "accountant", "acc")
    with schema_context("dealer1"):
        employee = payroll.employee_create(first_name="Ann", last_name="Lee", hire_date=dt.date(2025, 1, 1))
    sales = host_client("dealer1.localhost", agent)
    assert sales.post("/employees/", EMPLOYEE).status_code == 403
    assert sales.post(f"/employees/{employee.pk}/", {**EMPLOYEE, "status": "active"}).status_code == 403
    assert sales.post(f"/employees/{employee.pk}/salary/", _salary_post()).status_code == 403
    acc = host_client("dealer1.localhost", accountant)  # may view employees, not change them or see salaries
    page = acc.get(f"/employees/{employee.pk}/").content.decode()
    assert "Ann Lee" in page and 'action="/employees/' not in page and "Salary history" not in page
    listing = acc.get("/employees/").content.decode()
    assert "Ann Lee" in listing and 'action="/employees/' not in listing and 'id="id_hire_date"' not in listing
    assert acc.post("/employees/", EMPLOYEE).status_code == 403
    assert acc.post(f"/employees/{employee.pk}/", {**EMPLOYEE, "status": "active"}).status_code == 403
    assert acc.post(f"/employees/{employee.pk}/salary/", _salary_post()).status_code == 403
    with schema_context("dealer1"):
        assert Employee.objects.get().first_name == "Ann" and not SalaryStructure.objects.exists()


def _wallet_transfer(make_user, admin):
    alice, bob = make_user(), make_user()
    wallet.deposit(account=wallet.account_for(alice), amount=Decimal("50.00"))
    return (host_client("localhost", alice), "/me/wallet/", 'action="/me/wallet/transfer/"', "/me/wallet/transfer/",
            {"to_username": bob.username, "amount": "20.00"}, lambda: _balance(bob), Decimal("20.00"))


def _wallet_charge(make_user, admin):
    seller = make_user()
    wallet.deposit(account=wallet.account_for(seller), amount=Decimal("50.00"))
    return (host_client("localhost", seller), "/me/wallet/", 'action="/me/wallet/charge/"', "/me/wallet/charge/",
            {"phone": "+442079460958", "amount": "5.00"}, lambda: _balance(seller), Decimal("45.00"))


def _trading_move(make_user, admin):
    user = make_user()
    wallet.deposit(account=wallet.account_for(user), amount=Decimal("50.00"))
    return (host_client("localhost", user), "/me/trading/", 'id="move-h"', "/me/trading/",
            {"action": "deposit", "amount": "10.00"}, lambda: _balance(user), Decimal("40.00"))


def _marketplace_buy(make_user, admin):
    seller, buyer = make_user(), make_user()
    car = _listed(seller, admin)
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("5000.00"))
    return (host_client("localhost", buyer), f"/cars/{car.pk}/buy/", "Confirm purchase", f"/cars/{car.pk}/buy/",
            {}, lambda: _balance(buyer), Decimal("2000.00"))


def _credit_approval(make_user, admin):
    seller = make_user()
    wallet.credit_request_create(account=wallet.account_for(seller), amount=Decimal("70.00"), requested_by=seller)
    request_id = wallet_selectors.credit_request_list().get().pk
    return (host_client("localhost", admin), "/staff/credit/", f'name="id" value="{request_id}"', "/staff/credit/",
            {"id": request_id, "action": "approve"}, lambda: _balance(seller), Decimal("70.00"))


def _dealership(make_user):
    """dealer1 with 5,000.00 and a dealer, an accountant and a sales agent."""
    from tenancy.models import Dealership
    from tenancy.services import membership_grant

    dealership = Dealership.objects.get(schema_name="dealer1")
    wallet.deposit(account=wallet.account_for(dealership), amount=Decimal("5000.00"))
    people = {role: make_user() for role in ("dealer", "accountant", "sales_agent")}
    for role, user in people.items():
        membership_grant(user=user, dealership=dealership, role=role)
    return people


def _member_pay(make_user, admin):
    people = _dealership(make_user)
    agent = people["sales_agent"]
    return (host_client("dealer1.localhost", people["accountant"]), "/money/", 'action="/money/pay/"', "/money/pay/",
            {"member": agent.pk, "amount": "120.50"}, lambda: _balance(agent), Decimal("120.50"))


def _commission_pay(make_user, admin):
    from django_tenants.utils import schema_context

    from django_leads import services as leads
    from django_leads.models import Commission

    people = _dealership(make_user)
    agent = people["sales_agent"]
    with schema_context("dealer1"):
        car = car_services.car_create(actor=people["dealer"], store_key="dealer1", make="Skoda", model="Octavia",
                                      year=2018, price=Decimal("9500.00"), vin=VIN)
        leads.commission_rule_set(kind="flat", amount=Decimal("75.00"), role="sales_agent")
        lead = leads.lead_create(car=car, contact_name="Cash Buyer", agent=agent)
        for step in ("contacted", "qualified", "negotiating"):
            lead = leads.lead_update_status(lead=lead, status=step)
        leads.lead_update_status(lead=lead, status="won", agreed_price=Decimal("9000.00"), payment="offline")
        url = f"/commissions/{Commission.objects.get().pk}/pay/"
    return (host_client("dealer1.localhost", people["accountant"]), "/commissions/", f'action="{url}"', url, {},
            lambda: _balance(agent), Decimal("75.00"))


def _payroll_pay(make_user, admin):
    import datetime as dt

    from django_tenants.utils import schema_context

    from django_payroll import services as payroll

    people = _dealership(make_user)
    worker = make_user()
    with schema_context("dealer1"):
        employee = payroll.employee_create(first_name="Pat", last_name="Payroll", hire_date=dt.date(2020, 1, 1),
                                           user=worker)
        payroll.salary_create(employee=employee, effective_from=dt.date(2020, 1, 1), base_salary=Decimal("1000.00"))
        run = payroll.run_approve(run=payroll.run_calculate(run=payroll.run_create(period=dt.date(2026, 1, 1))))
        net = run.total_net
    return (host_client("dealer1.localhost", people["accountant"]), f"/payroll/{run.pk}/",
            f'action="/payroll/{run.pk}/action/"', f"/payroll/{run.pk}/action/", {"action": "pay"},
            lambda: _balance(worker), net)


def _platform_lead_win(make_user, admin):
    from django_tenants.utils import schema_context

    from django_car_listing.models import Car
    from django_leads import services as leads

    people = _dealership(make_user)
    buyer = make_user()
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("10000.00"))
    with schema_context("dealer1"):
        car = Car.objects.create(store_key="dealer1", make="Skoda", model="Octavia", year=2018,
                                 price=Decimal("9500.00"), vin=VIN, is_for_sale=True, verification_status="verified")
        lead = leads.lead_create(car=car, buyer=buyer, agent=people["sales_agent"])
        for step in ("contacted", "qualified", "negotiating"):
            lead = leads.lead_update_status(lead=lead, status=step)
    url = f"/leads/{lead.pk}/win/"
    return (host_client("dealer1.localhost", people["sales_agent"]), url, f'action="{url}"', url,
            {"payment": "platform", "agreed_price": "9500.00", "confirm": "1"}, lambda: _balance(buyer),
            Decimal("500.00"))


def _balance(owner):
    return wallet_selectors.balance(wallet.account_for(owner))


@pytest.mark.parametrize("money_form", [
    _wallet_transfer, _wallet_charge, _trading_move, _marketplace_buy, _credit_approval, _member_pay,
    _commission_pay, _payroll_pay, _platform_lead_win,
], ids=lambda f: f.__name__.strip("_"))
def test_a_double_submitted_money_form_posts_once(money_form, make_user, admin, dealer1):
    """Every page form that moves money carries a one-time key: the same form sent twice (a double click, a
    resubmit after a timeout) moves the money once and the second answer is the first one, not an error; a
    fresh page gives a fresh key."""
    client, page_url, form_marker, post_url, body, balance, balance_after_once = money_form(make_user, admin)
    page = client.get(page_url).content.decode()
    token = re.search(r'name="idempotency_key" value="([^"]+)"', page[page.index(form_marker):]).group(1)
    first, second = (client.post(post_url, {**body, "idempotency_key": token}, follow=True) for _ in range(2))
    assert balance() == balance_after_once
    flashes = [re.findall(r'<p class="msg (msg-\w+)"[^>]*>([^<]*)<', r.content.decode()) for r in (first, second)]
    assert flashes[0] and flashes[0][0][0] == "msg-success" and flashes[1] == flashes[0]
    assert token not in client.get(page_url).content.decode()
