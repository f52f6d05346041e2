"""demo/glue/wiring.py: each domain event reaches the people it concerns as a notification, once, with what
its e-mail needs (names, amounts, the page of the thing)."""
import datetime as dt
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from tests.test_marketplace import _listed_dealer_car


def _kinds(user):
    from django_notifications.models import Notification

    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def _note(user, kind):
    from django_notifications.models import Notification

    return Notification.objects.get(recipient=user, kind=kind)


def _private_car(seller, admin, price="3500.00"):
    from django_car_listing import services

    car = services.car_create(actor=seller, store_key="", make="Saab", model="9-3", year=2008,
                              price=Decimal(price), vin="1M8GDM9AXKP042788")
    services.car_verify(actor=admin, store_key="", car_id=car.pk)
    services.car_put_on_sale(actor=seller, store_key="", car_id=car.pk)
    return car


@pytest.mark.django_db
def test_a_private_sale_tells_the_seller_and_confirms_to_the_buyer_once(make_user, funded_buyer, deliver_events):
    from django_car_listing.services import car_buy
    from forecourt_core.events.models import Event

    seller, admin = make_user(first_name="Sam", last_name="Seller"), make_user(is_staff=True)
    car = _private_car(seller, admin)
    record = car_buy(buyer=funded_buyer, store_key="", car_id=car.pk)
    deliver_events()
    sold = _note(seller, "car_purchased")
    assert sold.title == "Your 2008 Saab 9-3 has been sold"
    assert sold.data["price"] == "3500.00" and sold.data["buyer"] == funded_buyer.username
    assert sold.link == sold.data["url"] == "http://localhost:8000/me/cars/"
    bought = _note(funded_buyer, "car_purchase_confirmed")
    assert bought.data["seller"] == "Sam Seller" and bought.data["car"] == "2008 Saab 9-3"
    assert bought.link == f"http://localhost:8000/me/cars/{record.car_id}/"
    assert _kinds(seller) == ["car_purchased", "car_verified"]

    # The same event handled again (say its first delivery's commit was lost) notifies nobody twice.
    assert Event.objects.filter(kind="car_listing.car_purchased").update(status="pending") == 1
    assert deliver_events() == 1
    assert _kinds(seller) == ["car_purchased", "car_verified"] and _kinds(funded_buyer) == ["car_purchase_confirmed"]


@pytest.mark.django_db
def test_a_dealer_car_sold_is_handled_in_the_dealership_and_its_staff_hear_of_it(dealer1, dealer1_staff,
                                                                                 funded_buyer, make_user,
                                                                                 deliver_events):
    from django_car_listing.services import car_buy
    from forecourt_core.events.models import Event

    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    deliver_events()
    car_buy(buyer=funded_buyer, store_key="dealer1", car_id=car.pk)
    event = Event.objects.get(kind="car_listing.car_purchased")
    assert event.route == "dealer1"  # recorded in the dealership's schema, handled there
    deliver_events()
    staff_note = _note(dealer1_staff, "car_purchased")
    assert staff_note.link == "http://dealer1.localhost:8000/sales/"
    assert staff_note.data["car"] == f"{car.year} {car.make} {car.model}"
    assert _note(funded_buyer, "car_purchase_confirmed").data["seller"] == "First Motors"


@pytest.mark.django_db
def test_a_new_listing_reaches_the_dealerships_followers_and_staff_but_not_its_author(dealer1, dealer1_staff,
                                                                                     make_user, deliver_events):
    from tenancy.services import dealership_follow, membership_grant

    follower, dealer = make_user(), make_user()
    dealership_follow(user=follower, dealership=dealer1)
    membership_grant(user=dealer, dealership=dealer1, role="dealer")
    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    deliver_events()
    posted = _note(follower, "car_posted")
    assert posted.data["dealership"] == "First Motors" and posted.data["price"] == "12000.00"
    assert posted.link == f"http://localhost:8000/cars/dealer1/{car.pk}/"
    assert "car_posted" in _kinds(dealer)
    assert "car_posted" not in _kinds(dealer1_staff)  # who listed it isn't told of it


@pytest.mark.django_db
def test_credit_request_decision_reaches_the_seller(make_user, deliver_events):
    from django_wallet import services as wallet

    seller, admin = make_user(), make_user(is_staff=True)
    request = wallet.credit_request_create(account=wallet.account_for(seller), amount=Decimal("500.00"),
                                           requested_by=seller)
    wallet.credit_request_approve(credit_request=request, decided_by=admin)
    deliver_events()
    assert _kinds(seller) == ["credit_request_decided"]
    assert _note(seller, "credit_request_decided").data["amount"] == "500.00"


@pytest.mark.django_db
def test_settled_and_rejected_trades_reach_the_trader(make_user, deliver_events):
    from django_trading import services as trading

    trader = make_user()
    trading.trader_fund(username=trader.username, amount=Decimal("100.00"))
    price = Decimal("10.00")
    trading.bars_ingest(bars=[{"ticker": "WIRE", "open": price, "high": price, "low": price, "close": price,
                               "volume": 1000, "timestamp": datetime(2026, 11, 2, tzinfo=UTC)}])
    ok, _ = trading.order_create(user=trader, ticker="WIRE", side="buy", volume=2)
    too_big, _ = trading.order_create(user=trader, ticker="WIRE", side="buy", volume=50)
    for order in (ok, too_big):
        trading.order_settle(order_id=order.pk)
    deliver_events()
    assert _kinds(trader) == ["trade_rejected", "trade_settled"]
    assert _note(trader, "trade_settled").data["amount"] == "20.00"


@pytest.mark.django_db
def test_lead_assignment_and_status_changes_reach_agent_and_dealer(dealer1, make_user, deliver_events):
    from django_leads import services as leads
    from tenancy.services import membership_grant

    dealer, agent, staff = make_user(), make_user(), make_user()
    membership_grant(user=dealer, dealership=dealer1, role="dealer")
    membership_grant(user=agent, dealership=dealer1, role="sales_agent")
    membership_grant(user=staff, dealership=dealer1, role="dealer_staff")
    car = _listed_dealer_car(staff, make_user(is_staff=True))
    with schema_context("dealer1"):
        lead = leads.lead_create(car=car, by=staff, contact_name="Walk In", contact_phone="+14155550100")
        leads.lead_transition(lead=lead, status="contacted", by=agent)
    deliver_events()
    assigned = _note(agent, "lead_assigned")
    assert assigned.link == f"http://dealer1.localhost:8000/leads/{lead.pk}/"
    assert assigned.data["contact_name"] == "Walk In" and assigned.data["car"] == f"{car.year} {car.make} {car.model}"
    assert "lead_status_changed" in _kinds(dealer)
    assert "lead_status_changed" not in _kinds(agent)  # who made the change isn't told of it


@pytest.mark.django_db
def test_payroll_paid_reaches_each_employee_with_their_net_pay(dealer1, make_user, deliver_events):
    from django_payroll import services as payroll
    from django_wallet import services as wallet

    employee_user = make_user()
    wallet.deposit(account=wallet.account_for(dealer1), amount=Decimal("50000.00"))
    with schema_context("dealer1"):
        employee = payroll.employee_create(first_name="Pat", last_name="Paid", hire_date=dt.date(2020, 1, 1),
                                           user=employee_user)
        payroll.salary_create(employee=employee, effective_from=dt.date(2020, 1, 1), base_salary=Decimal("2000.00"))
        run = payroll.run_create(period=dt.date(2026, 10, 1))
        payroll.run_calculate(run=run)
        payroll.run_approve(run=run)
        payroll.run_pay(run=run)
        net = run.payslips.get().net
    deliver_events()
    assert _kinds(employee_user) == ["payroll_paid"]
    paid = _note(employee_user, "payroll_paid")
    assert paid.data["net"] == str(net) and paid.data["employee"] == "Pat Paid"
    assert paid.link == "http://dealer1.localhost:8000/payslips/"
