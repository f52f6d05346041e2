"""A dealership's books (django-books through the event handlers of demo/glue/wiring.py and the
postings of demo/glue/books.py): every business event is posted once into the right dealership, also
when the relay delivers its event twice or never (the sweep then posts it), and a month of real
business leaves books that balance and agree with the dealership's wallet.

Events are recorded in the test's transaction and relayed only when a test calls deliver_events(). The
sweep's grace period (the last minute, left to the relay) is off here: every event is seconds old.
"""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.conftest import host_client
from tests.test_marketplace import _listed_dealer_car

D = Decimal


@pytest.fixture(autouse=True)
def _no_grace(settings):
    settings.BOOKS_RECONCILE_GRACE_SECONDS = 0


def _keys(schema_name="dealer1"):
    from django_books.models import JournalEntry

    with schema_context(schema_name):
        return sorted(k.split(":")[0] for k in JournalEntry.objects.exclude(key=None).values_list("key", flat=True))


@pytest.fixture
def agent(dealer1, make_user):
    from tenancy.services import membership_grant

    user = make_user()
    membership_grant(user=user, dealership=dealer1, role="sales_agent")
    return user


def _offline_win(car, agent, *, price: str, sold_on: dt.date):
    """An offline CRM sale of ``car`` by ``agent``, with a flat 250.00 commission accrued."""
    from django_leads import services as leads
    from django_leads.models import Lead, LeadStatus

    with schema_context("dealer1"):
        leads.commission_rule_set(kind="flat", amount=Decimal("250.00"), agent=agent)
        lead = leads.lead_create(car=car, agent=agent, contact_name="Walk In", contact_phone="+14155550100")
        Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.NEGOTIATING)  # the pipeline walked already
        return leads.lead_win(lead=lead, by=agent, payment="offline", agreed_price=Decimal(price), sold_on=sold_on)


@pytest.mark.django_db
def test_a_car_sale_whose_posting_was_lost_is_posted_by_the_sweep_once(dealer1, dealer1_staff, funded_buyer,
                                                                       make_user, deliver_events):
    from django_books.models import VehicleSale

    from demo.glue import books
    from django_car_listing.models import StoreSale
    from django_car_listing.services import car_buy

    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    car_buy(buyer=funded_buyer, store_key="dealer1", car_id=car.pk)  # its event not relayed (yet)
    assert _keys() == []

    assert books.reconcile_all() == {"dealer1": 1}
    with schema_context("dealer1"):
        sale, booked = StoreSale.objects.get(), VehicleSale.objects.get()
        assert (booked.key, booked.gross, booked.invoice_number, booked.vehicle_id) == (
            f"car-sale:{sale.pk}", D("12000.00"), 1, car.pk)
        wallet_line = booked.entry.lines.get(account__role="wallet")
        assert (wallet_line.source_type, wallet_line.source_id) == (
            "wallet_transaction", str(sale.wallet_transaction_id))
    assert books.reconcile_all() == {}  # nothing twice
    deliver_events()  # the event, relayed late, finds its posting there
    assert _keys() == ["car-sale"] and _keys("dealer2") == []


@pytest.mark.django_db
def test_the_sweep_posts_nothing_the_handler_already_posted(dealer1, dealer1_staff, funded_buyer, make_user,
                                                            deliver_events):
    from demo.glue import books
    from django_car_listing.services import car_buy

    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    car_buy(buyer=funded_buyer, store_key="dealer1", car_id=car.pk)
    deliver_events()
    assert _keys() == ["car-sale"]
    assert books.reconcile_all() == {}
    assert _keys() == ["car-sale"]


@pytest.mark.django_db
def test_lost_offline_sale_commission_and_top_up_postings_are_swept_on_their_own_dates(dealer1, dealer1_staff,
                                                                                        agent, make_user):
    from django_books.models import JournalEntry

    from demo.glue import books
    from demo.glue.hooks import store_account
    from django_leads import services as leads
    from django_wallet import services as wallet

    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    sold_on = timezone.localdate() - dt.timedelta(days=2)
    sale = _offline_win(car, agent, price="9000.00", sold_on=sold_on)
    wallet.deposit(account=store_account("dealer1"), amount=Decimal("1000.00"))
    with schema_context("dealer1"):
        commission = leads.commission_payout(commission=sale.commissions.get())
    assert _keys() == []  # no event relayed

    assert books.reconcile_all() == {"dealer1": 4}
    assert _keys() == ["commission-accrued", "commission-paid", "lead-sale", "wallet"]
    with schema_context("dealer1"):
        assert JournalEntry.objects.get(key=f"lead-sale:{sale.pk}").date == sold_on
        assert JournalEntry.objects.get(key=f"commission-paid:{commission.uuid}").date == timezone.localdate(
            commission.paid_at)
    assert books.reconcile_all() == {}


@pytest.mark.django_db
def test_the_handler_posts_an_offline_sale_on_its_sale_date_with_its_commission(dealer1, dealer1_staff, agent,
                                                                                make_user, deliver_events):
    from django_books.models import JournalEntry, VehicleSale

    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    sold_on = timezone.localdate() - dt.timedelta(days=3)
    sale = _offline_win(car, agent, price="7000.00", sold_on=sold_on)
    deliver_events()
    assert _keys() == ["commission-accrued", "lead-sale"]
    with schema_context("dealer1"):
        booked = VehicleSale.objects.get()
        assert (booked.sold_on, booked.gross, booked.vat) == (sold_on, D("7000.00"), D("1166.67"))
        accrued = JournalEntry.objects.get(key__startswith="commission-accrued:")
        assert sorted(accrued.lines.values_list("account__role", "amount")) == [
            ("commissions", D("250.00")), ("commissions_payable", D("-250.00"))]
        assert sale.pk == int(booked.key.split(":")[1])


@pytest.mark.django_db
def test_a_top_up_of_the_dealership_wallet_is_owners_equity_in_its_books_only(dealer1, dealer2, deliver_events):
    from django_books import selectors

    from django_wallet import services as wallet

    top_up = wallet.deposit(account=wallet.account_for(dealer1), amount=D("500.00"))  # on the marketplace host
    deliver_events()
    with schema_context("dealer1"):
        sheet = selectors.balance_sheet()
        assert [(r["name"], r["amount"]) for r in sheet["equity"]] == [("Owner's equity", D("500.00"))]
        assert selectors.entries_for_source("wallet_transaction", top_up.pk)[0].key == f"wallet:{top_up.pk}"
    assert _keys("dealer2") == []


@pytest.mark.django_db
def test_the_sweep_looks_back_books_reconcile_days_only(dealer1, dealer1_staff, funded_buyer, make_user, settings):
    from demo.glue import books
    from django_car_listing.models import StoreSale
    from django_car_listing.services import car_buy

    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    car_buy(buyer=funded_buyer, store_key="dealer1", car_id=car.pk)
    with schema_context("dealer1"):
        StoreSale.objects.update(sold_at=timezone.now() - dt.timedelta(days=10))
    settings.BOOKS_RECONCILE_DAYS = 7
    assert books.reconcile_all() == {}
    assert books.reconcile_all(days=30) == {"dealer1": 1}  # an operator's wider sweep after a long outage


@pytest.mark.django_db
def test_an_event_of_a_moment_ago_is_left_to_the_relay(dealer1, dealer1_staff, funded_buyer, make_user,
                                                          settings):
    from demo.glue import books
    from django_car_listing.services import car_buy

    settings.BOOKS_RECONCILE_GRACE_SECONDS = 60
    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    car_buy(buyer=funded_buyer, store_key="dealer1", car_id=car.pk)
    assert books.reconcile_all() == {}  # the relay may still be delivering it: no false alarm, no race


@pytest.mark.django_db
def test_a_month_of_business_leaves_books_that_balance_and_agree_with_the_wallet(
        dealer1, dealer1_staff, agent, funded_buyer, make_user, deliver_events):
    """Through the real services and event handlers: a top-up, a vehicle bought in and sold on the
    marketplace, another sold offline, its commission paid, and a payroll run paid."""
    from django_books import selectors
    from django_books import services as books

    from django_car_listing.services import car_buy
    from django_leads import services as leads
    from django_payroll import services as payroll
    from django_wallet import selectors as wallet_selectors
    from django_wallet import services as wallet
    from tests.test_marketplace import VIN_B

    admin = make_user(is_staff=True)
    employee_user = make_user()
    wallet.deposit(account=wallet.account_for(dealer1), amount=D("20000.00"))  # owner's capital
    online = _listed_dealer_car(dealer1_staff, admin)  # 12,000.00
    offline = _listed_dealer_car(dealer1_staff, admin, vin=VIN_B, price="9000.00")
    with schema_context("dealer1"):
        books.vehicle_cost_add(vehicle_id=online.pk, kind="acquisition", amount=D("9000.00"),
                               incurred_on=timezone.localdate())
        books.vehicle_cost_add(vehicle_id=online.pk, kind="reconditioning", amount=D("600.00"),
                               incurred_on=timezone.localdate())
        books.vehicle_cost_add(vehicle_id=offline.pk, kind="acquisition", amount=D("6000.00"),
                               incurred_on=timezone.localdate())
    car_buy(buyer=funded_buyer, store_key="dealer1", car_id=online.pk)
    sale = _offline_win(offline, agent, price="9000.00", sold_on=timezone.localdate())
    with schema_context("dealer1"):
        leads.commission_payout(commission=sale.commissions.get())
        payroll.tax_bands_replace(bands=[{"lower": D("0"), "upper": None, "rate": D("10")}])
        employee = payroll.employee_create(first_name="Eve", last_name="Mech", hire_date=dt.date(2020, 1, 1),
                                           user=employee_user)
        payroll.salary_create(employee=employee, effective_from=dt.date(2020, 1, 1), base_salary=D("3000.00"))
        run = payroll.run_approve(run=payroll.run_calculate(run=payroll.run_create(
            period=timezone.localdate().replace(day=1))))
        payroll.run_pay(run=run)  # posts itself, in the paying transaction
    deliver_events()
    with schema_context("dealer1"):
        # income: net sales 12,000/1.2 + 9,000/1.2 = 10,000 + 7,500 = 17,500
        # expenses: cost of vehicles 9,600 + 6,000, commission 250, salary 3,000 = 18,850
        pnl = selectors.profit_and_loss()
        assert (pnl["total_income"], pnl["total_expenses"], pnl["net_profit"]) == (
            D("17500.00"), D("18850.00"), D("-1350.00"))
        trial = selectors.trial_balance()
        assert trial["difference"] == 0 and trial["total_debit"] > 0
        sheet = selectors.balance_sheet()
        assert sheet["difference"] == 0
        # wallet: 20,000 + 12,000 - 250 commission - 2,700 net pay
        recon = selectors.wallet_reconciliation()
        assert recon["books"] == recon["wallet"] == wallet_selectors.balance(wallet.account_for(dealer1)) == D(
            "29050.00")
        assert recon["difference"] == 0 and recon["unbooked"] == []
        vat = selectors.vat_return()
        assert vat["output_vat"] == D("3500.00") and [i["invoice_number"] for i in vat["invoices"]] == [1, 2]
        assert [m["margin"] for m in selectors.vehicle_margins()] == [D("400.00"), D("1500.00")]
        assert selectors.entries_for_source("payslip", run.payslips.get().pk)[0].key == f"payroll-run:{run.pk}"


@pytest.mark.django_db
def test_each_event_is_posted_once_when_the_relay_delivers_it_twice(dealer1, dealer1_staff, agent, funded_buyer,
                                                                     make_user, deliver_events):
    """A platform sale, an offline sale with its commission accrued, the commission paid and a top-up: each
    event's handler posts once, in the dealership's schema; relaying every event again posts nothing."""
    from django_books.models import JournalEntry

    from django_car_listing.services import car_buy
    from django_leads import services as leads
    from django_wallet import services as wallet
    from forecourt_core.events.models import Event
    from forecourt_core.events.services import events_relay
    from tests.test_marketplace import VIN_B

    admin = make_user(is_staff=True)
    wallet.deposit(account=wallet.account_for(dealer1), amount=D("1000.00"))
    car_buy(buyer=funded_buyer, store_key="dealer1",
            car_id=_listed_dealer_car(dealer1_staff, admin).pk)
    sale = _offline_win(_listed_dealer_car(dealer1_staff, admin, vin=VIN_B, price="9000.00"), agent,
                        price="9000.00", sold_on=timezone.localdate())
    with schema_context("dealer1"):
        leads.commission_payout(commission=sale.commissions.get())
    kinds = {"car_listing.car_purchased", "leads.sale_closed", "leads.commission_paid", "wallet.transaction_posted"}
    assert kinds <= set(Event.objects.values_list("kind", flat=True))

    deliver_events()
    posted = ["car-sale", "commission-accrued", "commission-paid", "lead-sale", "wallet"]
    assert _keys() == posted and _keys("dealer2") == []
    with schema_context("dealer1"):
        entries = JournalEntry.objects.count()

    Event.objects.update(status=Event.Status.PENDING, available_at=timezone.now())  # every event once more
    assert events_relay() >= len(kinds)
    assert _keys() == posted and _keys("dealer2") == []
    with schema_context("dealer1"):
        assert JournalEntry.objects.count() == entries


@pytest.mark.django_db
def test_the_dashboard_counts_marketplace_and_offline_sales_as_profit_and_loss_does(
        dealer1, dealer1_staff, agent, funded_buyer, make_user, deliver_events):
    """One car sold on the marketplace, one lead won and paid offline (32,900.00): the dashboard's sales
    count, revenue and month equal profit and loss's sales revenue for the same period, to the cent."""
    from django_books import selectors
    from django_books import services as books

    from django_car_listing.services import car_buy
    from tenancy.services import membership_grant
    from tests.test_marketplace import VIN_B

    admin, dealer = make_user(is_staff=True), make_user()
    membership_grant(user=dealer, dealership=dealer1, role="dealer")
    car_buy(buyer=funded_buyer, store_key="dealer1", car_id=_listed_dealer_car(dealer1_staff, admin).pk)
    _offline_win(_listed_dealer_car(dealer1_staff, admin, vin=VIN_B, price="32900.00"), agent,
                 price="32900.00", sold_on=timezone.localdate())
    deliver_events()

    page = host_client("dealer1.localhost", dealer).get("/")
    month = timezone.localdate().replace(day=1)
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    with schema_context("dealer1"):
        sales_code = books.account_by_role("vehicle_sales").code
        for period in ({}, {"date_from": month, "date_to": next_month - dt.timedelta(days=1)}):
            pnl = {r["code"]: r["amount"] for r in selectors.profit_and_loss(**period)["income"]}
            assert page.context["sales_total"] == pnl[sales_code] == D("37416.67")  # 10,000.00 + 27,416.67
    assert page.context["sales_count"] == 2
    assert page.context["chart"]["sales_by_month"] == {month.strftime("%Y-%m"): 37416.67}
    assert "$37,416.67" in page.content.decode()


@pytest.mark.django_db
def test_a_refusal_of_the_books_holds_up_no_notification_and_the_sweep_posts_it_once_accepted(
        dealer1, dealer1_staff, funded_buyer, make_user, deliver_events):
    from django_books import services as books_services
    from django_books.models import LedgerAccount

    from demo.glue import books
    from django_car_listing.services import car_buy
    from django_notifications.models import Notification
    from forecourt_core.events.models import Event

    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    with schema_context("dealer1"):
        books_services.chart_ensure()
        sales = LedgerAccount.objects.get(role="vehicle_sales")
        books_services.account_update(account=sales, role=None)  # the accountant took the role away
    car_buy(buyer=funded_buyer, store_key="dealer1", car_id=car.pk)
    deliver_events()
    assert _keys() == []  # account_missing: nothing half-posted
    assert set(Event.objects.filter(kind="car_listing.car_purchased").values_list("status", flat=True)) == {
        "delivered"}
    assert Notification.objects.filter(recipient=dealer1_staff, kind="car_purchased").count() == 1

    with schema_context("dealer1"):
        books_services.account_update(account=sales, role="vehicle_sales")
    assert books.reconcile_all() == {"dealer1": 1}
    assert _keys() == ["car-sale"]


def test_the_beat_task_posts_a_lost_sale_through_a_real_worker(celery_worker, settings):
    """Committed for real (no `db` fixture, so no make_user); the purchase's event is never relayed (no
    kick after the commit, no beat in the tests), as if it had failed for good."""
    import time

    from django.contrib.auth import get_user_model
    from django_books.tasks import reconcile

    from django_car_listing.services import car_buy
    from django_wallet import services as wallet
    from tenancy.models import Dealership
    from tenancy.services import membership_grant

    staff, buyer, admin = (get_user_model().objects.create_user(username=name, is_staff=name == "admin")
                           for name in ("staff", "buyer", "admin"))
    membership_grant(user=staff, dealership=Dealership.objects.get(slug="dealer1"), role="dealer_staff")
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("20000.00"))
    car = _listed_dealer_car(staff, admin)
    settings.FORECOURT_EVENTS_KICK = False
    car_buy(buyer=buyer, store_key="dealer1", car_id=car.pk)
    assert _keys() == []
    reconcile.delay()  # sent from the public schema, as beat sends it
    deadline = time.monotonic() + 30
    while not _keys() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _keys() == ["car-sale"]


@pytest.mark.django_db
def test_the_books_api_of_one_dealership_is_not_anothers(dealer1, dealer2, make_user):
    from django_books import services as books

    from tenancy.services import membership_grant

    accountant = make_user()
    membership_grant(user=accountant, dealership=dealer1, role="accountant")
    with schema_context("dealer2"):
        books.sale_post(key="x:1", gross=D("1200.00"), sold_on=timezone.localdate(), description="theirs",
                        source_type="sale", source_id=1, paid_into="cash")
    mine = host_client("dealer1.localhost", accountant)
    assert mine.get("/api/books/reports/trial-balance/").json()["total_debit"] == "0.00"
    assert mine.get("/api/books/sales/1/invoice.pdf").status_code == 404
    other = host_client("dealer2.localhost", accountant).get("/api/books/reports/trial-balance/")
    assert other.status_code == 403 and other.json()["code"] == "not_a_member"


@pytest.fixture
def books_api(dealer1, make_user):
    from tenancy.services import membership_grant

    user = make_user()
    membership_grant(user=user, dealership=dealer1, role="accountant")
    return host_client("dealer1.localhost", user)


def _csv(response):
    import csv
    import io

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.django_db
def test_the_wallet_reconciliation_report_shows_the_unbooked_movement_as_json_and_csv(dealer1, books_api,
                                                                                         deliver_events):
    from django_wallet import services as wallet

    wallet.deposit(account=wallet.account_for(dealer1), amount=D("500.00"))
    deliver_events()
    clean = books_api.get("/api/books/reports/wallet-reconciliation/").json()
    assert (clean["books"], clean["wallet"], clean["difference"], clean["unbooked"]) == (
        "500.00", "500.00", "0.00", [])

    late = wallet.deposit(account=wallet.account_for(dealer1), amount=D("200.00"))  # its event not relayed yet
    report = books_api.get("/api/books/reports/wallet-reconciliation/").json()
    assert (report["books"], report["wallet"], report["difference"]) == ("500.00", "700.00", "200.00")
    assert [(u["transaction"], u["kind"], u["amount"]) for u in report["unbooked"]] == [
        (str(late.pk), "deposit", "200.00")]
    rows = _csv(books_api.get("/api/books/reports/wallet-reconciliation/csv/"))
    assert rows[:4] == [["transaction", "kind", "amount", "created_at"], ["books", "", "500.00", ""],
                        ["wallet", "", "700.00", ""], ["difference", "", "200.00", ""]]
    assert rows[4][:3] == [str(late.pk), "deposit", "200.00"] and len(rows) == 5

    deliver_events()
    assert books_api.get("/api/books/reports/wallet-reconciliation/").json()["difference"] == "0.00"


@pytest.mark.django_db
def test_the_vehicle_margins_report_gives_each_car_sold_its_margin_as_json_and_csv(dealer1, dealer1_staff, agent,
                                                                                   make_user, books_api,
                                                                                   deliver_events):
    from django_books import services as books

    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    sold_on = timezone.localdate()
    with schema_context("dealer1"):
        books.profile_update(vat_rate="20")
        books.vehicle_cost_add(vehicle_id=car.pk, kind="acquisition", amount=D("4000.00"), incurred_on=sold_on)
        books.vehicle_cost_add(vehicle_id=car.pk, kind="reconditioning", amount=D("350.00"), incurred_on=sold_on,
                               description="Tyres")
    _offline_win(car, agent, price="6000.00", sold_on=sold_on)  # 5000.00 net of 20% VAT
    deliver_events()

    window = f"?date_from={sold_on.isoformat()}&date_to={sold_on.isoformat()}"
    (row,) = books_api.get(f"/api/books/reports/vehicle-margins/{window}").json()["rows"]
    assert (row["vehicle_id"], row["net"], row["cost"], row["margin"], row["sold_on"]) == (
        car.pk, "5000.00", "4350.00", "650.00", sold_on.isoformat())
    rows = _csv(books_api.get(f"/api/books/reports/vehicle-margins/csv/{window}"))
    assert rows[0] == ["invoice_number", "vehicle_id", "description", "sold_on", "net", "cost", "margin"]
    assert rows[1][:2] == [str(row["invoice_number"]), str(car.pk)]
    assert rows[1][3:] == [sold_on.isoformat(), "5000.00", "4350.00", "650.00"] and len(rows) == 2
    before = (sold_on - dt.timedelta(days=1)).isoformat()
    assert books_api.get(f"/api/books/reports/vehicle-margins/?date_from={before}&date_to={before}").json() == {
        "rows": []}
