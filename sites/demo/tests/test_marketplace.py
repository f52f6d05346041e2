"""Cars across schemas: each dealership's inventory is its own, the marketplace sees them all."""
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

VIN_A = "1M8GDM9AXKP042788"  # valid check digits
VIN_B = "1HGCM82633A004352"


def _create(actor, store_key, vin, price="12000.00"):
    from django_car_listing.services import car_create

    return car_create(actor=actor, store_key=store_key, make="Volvo", model="V60", year=2021, price=Decimal(price),
                      vin=vin)


@pytest.mark.django_db
def test_a_dealership_row_is_invisible_to_the_other_dealership_and_public(dealer1_staff):
    from django_car_listing.models import Car

    with schema_context("dealer1"):
        car = _create(dealer1_staff, "dealer1", VIN_A)
        assert Car.objects.filter(vin=VIN_A).count() == 1
    with schema_context("dealer2"):
        assert not Car.objects.filter(vin=VIN_A).exists()
        assert not Car.objects.filter(pk=car.pk, vin=VIN_A).exists()
    assert not Car.objects.filter(vin=VIN_A).exists()  # public


@pytest.mark.django_db
def test_same_vin_may_exist_in_two_dealerships(dealer1_staff, dealer2, make_user):
    from tenancy.services import membership_grant

    other = make_user()
    membership_grant(user=other, dealership=dealer2, role="dealer")
    with schema_context("dealer1"):
        _create(dealer1_staff, "dealer1", VIN_B)
    with schema_context("dealer2"):
        assert _create(other, "dealer2", VIN_B).vin == VIN_B  # unique per schema, not globally


@pytest.mark.django_db
def test_dealer2_member_cannot_manage_dealer1_cars(dealer1_staff, dealer2, make_user):
    from django_car_listing.services import car_put_on_sale
    from tenancy.services import membership_grant

    intruder = make_user()
    membership_grant(user=intruder, dealership=dealer2, role="dealer")
    with schema_context("dealer1"):
        car = _create(dealer1_staff, "dealer1", VIN_A)
        # dealer's role grants car_listing.* only inside dealer2; here it grants nothing.
        with pytest.raises(Exception) as refused:
            car_put_on_sale(actor=intruder, store_key="dealer1", car_id=car.pk)
        assert getattr(refused.value, "status", None) in {403, 404}


def _listed_dealer_car(staff, admin, vin=VIN_A, price="12000.00"):
    from django_car_listing import services

    with schema_context("dealer1"):
        car = _create(staff, "dealer1", vin, price)
        services.car_verify(actor=admin, store_key="dealer1", car_id=car.pk)
        services.car_put_on_sale(actor=staff, store_key="dealer1", car_id=car.pk)
    return car


@pytest.mark.django_db
def test_dealer_car_bought_on_the_marketplace_moves_to_public_with_the_money(dealer1, dealer1_staff, funded_buyer,
                                                                              make_user):
    from django_car_listing.models import Car, StoreSale
    from django_car_listing.services import car_buy
    from django_wallet import selectors
    from django_wallet import services as wallet

    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    dealer_account = wallet.account_for(dealer1)
    before = selectors.balance(dealer_account)
    record = car_buy(buyer=funded_buyer, store_key="dealer1", car_id=car.pk)  # from the public marketplace
    public_car = Car.objects.get(pk=record.car.pk)
    assert public_car.owner == funded_buyer and public_car.store_key == "" and public_car.vin == VIN_A
    with schema_context("dealer1"):
        sale = StoreSale.objects.get(car_id=car.pk)
        assert sale.buyer_id == funded_buyer.pk and sale.price == Decimal("12000.00")
        assert Car.objects.get(pk=car.pk).is_sold
    assert selectors.balance(dealer_account) == before + Decimal("12000.00")
    assert selectors.balance(wallet.account_for(funded_buyer)) == Decimal("8000.00")
    with schema_context("dealer2"):
        assert not StoreSale.objects.exists()


@pytest.mark.django_db
def test_a_replay_answered_on_a_dealership_host_gives_the_buyers_public_car(dealer1, funded_buyer, make_user):
    """car_listing_car is in every schema, and ids restart per schema: a replay's car is read in public, not
    the dealership's car of the same id that the request's search_path would find."""
    from django_car_listing import services
    from django_car_listing.models import Car

    seller = make_user()
    car = _create(seller, "", VIN_A)
    services.car_verify(actor=make_user(is_staff=True), store_key="", car_id=car.pk)
    services.car_put_on_sale(actor=seller, store_key="", car_id=car.pk)
    first = services.car_buy(buyer=funded_buyer, store_key="", car_id=car.pk, idempotency_key="bought-once")
    with schema_context("dealer1"):
        Car.objects.create(pk=first.car_id, store_key="dealer1", make="Skoda", model="Fabia", year=2015,
                           price=Decimal("4000.00"), vin=VIN_B)
        again = services.car_buy(buyer=funded_buyer, store_key="", car_id=car.pk, idempotency_key="bought-once")
        assert Car.objects.get(pk=first.car_id).vin == VIN_B  # the dealership's car of that id
        assert (again.pk, again.car.pk, again.car.vin, again.car.store_key, again.car.owner_id) == (
            first.pk, first.car_id, VIN_A, "", funded_buyer.pk)


@pytest.mark.django_db
def test_both_store_account_hooks_name_the_dealerships_account_and_a_purchase_pays_it(
        dealer1, dealer1_staff, funded_buyer, make_user, settings):
    """CAR_LISTING_STORE_ACCOUNT and CAR_LISTING_STORE_ACCOUNT_WITH agree on the dealership's account, and a
    purchase debits the buyer and credits the dealership by the price, with the one-read hook and without."""
    from django_car_listing import conf
    from django_car_listing.services import car_buy
    from django_wallet import selectors
    from django_wallet import services as wallet

    dealership = wallet.account_for(dealer1)
    paying, paid = conf.store_account_with(funded_buyer, "dealer1")
    assert (paying, paid) == (wallet.account_for(funded_buyer), dealership) == (
        paying, conf.store_account("dealer1"))
    admin = make_user(is_staff=True)
    for hook, vin in (("demo.glue.hooks.store_account_with", VIN_A), (None, VIN_B)):
        settings.CAR_LISTING_STORE_ACCOUNT_WITH = hook
        assert conf.store_account_with(funded_buyer, "dealer1") == (paying, dealership), hook
        car = _listed_dealer_car(dealer1_staff, admin, vin=vin, price="6000.00")
        before = selectors.balance(paying), selectors.balance(dealership)
        car_buy(buyer=funded_buyer, store_key="dealer1", car_id=car.pk)
        assert (selectors.balance(paying), selectors.balance(dealership)) == (
            before[0] - Decimal("6000.00"), before[1] + Decimal("6000.00")), hook


@pytest.mark.django_db
def test_failure_after_payment_rolls_back_every_schema(dealer1, dealer1_staff, funded_buyer, make_user, monkeypatch):
    from django_car_listing.models import Car, StoreSale
    from django_car_listing.services import car_buy, purchase
    from django_wallet import selectors
    from django_wallet import services as wallet
    from django_wallet.models import Entry

    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    entries_before = Entry.objects.count()

    def explode(**kwargs):
        raise RuntimeError("injected after the payment")

    monkeypatch.setattr(purchase, "_copy_to_buyer", explode)
    with pytest.raises(RuntimeError):
        car_buy(buyer=funded_buyer, store_key="dealer1", car_id=car.pk)
    assert Entry.objects.count() == entries_before
    assert selectors.balance(wallet.account_for(funded_buyer)) == Decimal("20000.00")
    assert not Car.objects.filter(vin=VIN_A).exists()
    with schema_context("dealer1"):
        assert not StoreSale.objects.exists()
        assert Car.objects.get(pk=car.pk).is_for_sale


@pytest.mark.django_db
def test_dealer_sale_is_booked_as_income_once_in_the_dealers_books(dealer1, dealer1_staff, funded_buyer, make_user,
                                                                   deliver_events):
    from django_books.models import VehicleSale

    from django_car_listing.services import car_buy

    car = _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    car_buy(buyer=funded_buyer, store_key="dealer1", car_id=car.pk, idempotency_key="k1")
    deliver_events()
    car_buy(buyer=funded_buyer, store_key="dealer1", car_id=car.pk, idempotency_key="k1")  # a replay
    deliver_events()
    with schema_context("dealer1"):
        sales = list(VehicleSale.objects.all())
    assert len(sales) == 1 and sales[0].gross == Decimal("12000.00") and sales[0].vehicle_id == car.pk
    with schema_context("dealer2"):
        assert not VehicleSale.objects.exists()


@pytest.mark.django_db
def test_followers_and_staff_hear_of_a_new_dealer_listing(dealer1, dealer1_staff, make_user, deliver_events):
    from django_notifications.models import Notification
    from tests.conftest import host_client

    follower, dealer2_fan = make_user(), make_user()
    make_user()  # a stranger, who hears nothing
    client = host_client("localhost", follower)
    assert client.post("/api/dealerships/dealer1/follow/").status_code == 204
    assert client.post("/api/dealerships/dealer1/follow/").status_code == 204  # idempotent
    assert host_client("localhost", dealer2_fan).post("/api/dealerships/dealer2/follow/").status_code == 204
    assert client.post("/api/dealerships/nowhere/follow/").status_code == 404
    owner = make_user()
    from tenancy.services import membership_grant

    membership_grant(user=owner, dealership=dealer1, role="dealer")
    _listed_dealer_car(dealer1_staff, make_user(is_staff=True))
    deliver_events()
    told = set(Notification.objects.filter(kind="car_posted").values_list("recipient_id", flat=True))
    assert told == {follower.pk, owner.pk}  # not the lister, not strangers, not dealer2's followers
    assert client.delete("/api/dealerships/dealer1/follow/").status_code == 204


@pytest.mark.django_db
def test_owner_hears_the_verification_decision(make_user, deliver_events):
    from django_car_listing import services
    from django_notifications.models import Notification

    owner, admin = make_user(), make_user(is_staff=True)
    kept = _create(owner, "", VIN_A)
    refused = _create(owner, "", VIN_B)
    services.car_verify(actor=admin, store_key="", car_id=kept.pk)
    services.car_reject(actor=admin, store_key="", car_id=refused.pk, reason="Blurry photos")
    deliver_events()
    got = sorted(Notification.objects.filter(recipient=owner).values_list("kind", "body"))
    assert got == [("car_rejected", "Blurry photos"), ("car_verified", "")]
