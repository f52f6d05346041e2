"""Winning a lead: the Sale, the platform purchase through car-listing, a car sold only once."""
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from django_car_listing.models import Car
from django_leads import services
from django_leads.errors import CarAlreadySold, InvalidAmount, PlatformPaymentNeedsBuyer, PriceMismatch
from django_leads.models import Commission, Lead, LeadStatus, Sale
from django_wallet import selectors as wallet_selectors
from django_wallet import services as wallet

from .. import stores


@pytest.mark.django_db
def test_offline_win_records_the_sale(make_lead, make_agent, make_user):
    agent = make_agent()
    lead = make_lead(status=LeadStatus.NEGOTIATING, contact_name="Walk In Wendy")
    sale = services.lead_win(lead=lead, by=agent, agreed_price=Decimal("18500.00"), payment="offline",
                             sold_on=date(2026, 11, 20))
    lead.refresh_from_db()
    assert lead.status == LeadStatus.WON and lead.closed_at is not None
    got = (sale.car_id, sale.car_key, sale.agreed_price, sale.payment, sale.sold_on, sale.agent_id, sale.buyer_name)
    assert got == (lead.car_id, lead.car_id, Decimal("18500.00"), "offline", date(2026, 11, 20), agent.pk,
                   "Walk In Wendy")
    car = Car.objects.get(pk=lead.car_id)
    assert (car.is_sold, car.is_for_sale) == (True, False)  # off the marketplace: nobody can buy it as well


@pytest.mark.django_db
def test_an_offline_sale_leaves_nothing_to_buy_on_the_marketplace(make_lead, make_agent, make_user):
    from django_car_listing import errors as car_errors
    from django_car_listing import services as cars

    lead = make_lead(status=LeadStatus.NEGOTIATING, contact_name="Cash Buyer")
    services.lead_win(lead=lead, by=make_agent(), agreed_price=Decimal("9000.00"), payment="offline")
    buyer = make_user()
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("100000.00"))
    with pytest.raises(car_errors.CarNotAvailable):
        cars.car_buy(buyer=buyer, store_key=lead.car.store_key, car_id=lead.car_id)
    assert wallet_selectors.balance(wallet.account_for(buyer)) == Decimal("100000.00")


@pytest.mark.django_db
def test_a_car_is_sold_only_once(make_car, make_lead, make_user):
    car = make_car()
    first = make_lead(car=car, status=LeadStatus.NEGOTIATING)
    second = make_lead(car=car, status=LeadStatus.NEGOTIATING)
    services.lead_win(lead=first, agreed_price=Decimal("100.00"), payment="offline")
    with pytest.raises(CarAlreadySold) as exc:
        services.lead_win(lead=second, agreed_price=Decimal("120.00"), payment="offline")
    assert exc.value.status == 409 and exc.value.code == "car_already_sold"
    second.refresh_from_db()
    assert second.status == LeadStatus.NEGOTIATING
    assert Sale.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_leads_won_at_once_sell_the_car_once(make_car, make_lead):
    car = make_car()
    leads = [make_lead(car=car, status=LeadStatus.NEGOTIATING) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def win(lead):
        try:
            barrier.wait(timeout=30)
            services.lead_win(lead=lead, agreed_price=Decimal("100.00"), payment="offline")
            outcomes.append("won")
        except CarAlreadySold:
            outcomes.append("car_already_sold")
        finally:
            connection.close()

    threads = [threading.Thread(target=win, args=(lead,)) for lead in leads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["car_already_sold", "won"]
    assert Sale.objects.count() == 1
    assert Lead.objects.filter(status=LeadStatus.WON).count() == 1


@pytest.mark.django_db
def test_platform_win_buys_the_car_through_car_listing(make_car, make_lead, make_user, make_agent):
    agent = make_agent()
    buyer = make_user()
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("25000.00"))
    store = stores.store_account(stores.STORE)
    store_before = wallet_selectors.balance(store)
    car = make_car(price="20000.00")
    lead = make_lead(car=car, buyer=buyer, contact_name="", status=LeadStatus.NEGOTIATING)

    sale = services.lead_win(lead=lead, by=agent, payment="platform")

    assert sale.payment == "platform" and sale.agreed_price == Decimal("20000.00") and sale.purchase_ref
    assert wallet_selectors.balance(wallet.account_for(buyer)) == Decimal("5000.00")
    assert wallet_selectors.balance(store) - store_before == Decimal("20000.00")
    car.refresh_from_db()
    assert car.is_sold and not car.is_for_sale
    assert Car.objects.filter(store_key="", owner=buyer, origin_car_id=car.pk).exists()
    # A sold car can't be won again (by any route).
    other = make_lead(car=car, status=LeadStatus.NEGOTIATING)
    with pytest.raises(CarAlreadySold):
        services.lead_win(lead=other, agreed_price=Decimal("1.00"), payment="offline")


@pytest.mark.django_db
def test_failed_platform_payment_rolls_everything_back(make_car, make_lead, make_user, make_agent):
    from django_leads.services import commission_rule_set
    from django_wallet.errors import InsufficientFunds

    agent = make_agent()
    commission_rule_set(kind="flat", amount=Decimal("50.00"), role="sales_agent")
    buyer = make_user()  # empty wallet
    lead = make_lead(buyer=buyer, contact_name="", status=LeadStatus.NEGOTIATING, agent=agent)
    with pytest.raises(InsufficientFunds):
        services.lead_win(lead=lead, payment="platform")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEGOTIATING
    assert (Sale.objects.count(), Commission.objects.count()) == (0, 0)
    assert not Car.objects.get(pk=lead.car_id).is_sold


@pytest.mark.django_db
def test_platform_payment_rules(make_car, make_lead, make_user):
    with pytest.raises(PlatformPaymentNeedsBuyer):
        services.lead_win(lead=make_lead(status=LeadStatus.NEGOTIATING), payment="platform")
    lead = make_lead(car=make_car(price="100.00"), buyer=make_user(), status=LeadStatus.NEGOTIATING)
    with pytest.raises(PriceMismatch):
        services.lead_win(lead=lead, payment="platform", agreed_price=Decimal("90.00"))


@pytest.mark.django_db
@pytest.mark.parametrize("price", ["0", "-5", "1.005", 12.5, "NaN", "1e20"])
def test_bad_agreed_price_is_refused(price, make_lead):
    with pytest.raises(InvalidAmount):
        services.lead_win(lead=make_lead(status=LeadStatus.NEGOTIATING), agreed_price=price, payment="offline")
