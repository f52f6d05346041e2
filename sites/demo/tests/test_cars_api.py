"""The car API across hosts: inventory on the dealer's host, the marketplace at the base domain."""
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from tests.conftest import host_client
from tests.test_marketplace import VIN_A, _listed_dealer_car


@pytest.fixture
def members(dealer1, dealer2, make_user):
    from tenancy.services import membership_grant

    d1, d2 = make_user(), make_user()
    membership_grant(user=d1, dealership=dealer1, role="dealer_staff")
    membership_grant(user=d2, dealership=dealer2, role="dealer_staff")
    return d1, d2


CAR = {"make": "Volvo", "model": "XC40", "year": 2022, "price": "31000.00", "vin": VIN_A}


@pytest.mark.django_db
def test_staff_manage_inventory_on_their_host_and_the_marketplace_lists_it(members, make_user):
    d1, _ = members
    client = host_client("dealer1.localhost", d1)
    created = client.post("/api/cars/", CAR, content_type="application/json")
    assert created.status_code == 201, created.content
    car_id = created.json()["id"]
    with schema_context("dealer1"):
        from django_car_listing.models import Car

        assert Car.objects.get(pk=car_id).store_key == "dealer1"
    inventory = client.get("/api/cars/mine/").json()["results"]
    assert [c["id"] for c in inventory] == [car_id]
    from django_car_listing.services import car_verify

    with schema_context("dealer1"):
        car_verify(actor=make_user(is_staff=True), store_key="dealer1", car_id=car_id)
    assert client.post(f"/api/cars/{car_id}/put-on-sale/").status_code == 200
    market = host_client("localhost").get("/api/cars/", {"store": "dealer1"}).json()
    assert [(c["id"], c.get("store_key", c.get("store"))) for c in market["results"]] == [(car_id, "dealer1")]


@pytest.mark.django_db
def test_dealer1_cars_are_never_editable_from_dealer2s_host(members, make_user):
    d1, d2 = members
    car = _listed_dealer_car(d1, make_user(is_staff=True))
    intruder = host_client("dealer2.localhost", d2)
    for method, path, body in [
        ("patch", f"/api/cars/{car.pk}/?store=dealer1", {"price": "1.00"}),
        ("post", f"/api/cars/{car.pk}/return-from-sale/?store=dealer1", {}),
        ("delete", f"/api/cars/{car.pk}/?store=dealer1", None),
    ]:
        response = getattr(intruder, method)(path, body, content_type="application/json")
        assert response.status_code == 404, (method, path, response.status_code)
    assert host_client("dealer2.localhost", d1).get("/api/cars/mine/").status_code == 403  # not a member there
    with schema_context("dealer1"):
        from django_car_listing.models import Car

        fresh = Car.objects.get(pk=car.pk)
        assert fresh.price == Decimal("12000.00") and fresh.is_for_sale and fresh.deleted_at is None


@pytest.mark.django_db
def test_buying_a_dealer_car_over_the_api_with_an_idempotency_key(members, make_user):
    from django_wallet import selectors
    from django_wallet import services as wallet

    d1, _ = members
    car = _listed_dealer_car(d1, make_user(is_staff=True))
    buyer = make_user()
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("15000.00"))
    client = host_client("localhost", buyer)
    first = client.post(f"/api/cars/{car.pk}/buy/?store=dealer1", HTTP_IDEMPOTENCY_KEY="buy-1")
    again = client.post(f"/api/cars/{car.pk}/buy/?store=dealer1", HTTP_IDEMPOTENCY_KEY="buy-1")
    assert first.status_code in {200, 201}, first.content
    assert again.status_code == first.status_code and again.json() == first.json()
    assert selectors.balance(wallet.account_for(buyer)) == Decimal("3000.00")
    other = make_user()
    wallet.deposit(account=wallet.account_for(other), amount=Decimal("15000.00"))
    late = host_client("localhost", other).post(f"/api/cars/{car.pk}/buy/?store=dealer1", HTTP_IDEMPOTENCY_KEY="late")
    assert late.status_code == 409 and late.json()["code"] == "car_not_available"
    assert selectors.balance(wallet.account_for(other)) == Decimal("15000.00")


@pytest.mark.django_db
def test_short_balance_is_refused_with_its_code_and_nothing_changes(members, make_user):
    from django_wallet import selectors
    from django_wallet import services as wallet

    d1, _ = members
    car = _listed_dealer_car(d1, make_user(is_staff=True))
    buyer = make_user()
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("100.00"))
    response = host_client("localhost", buyer).post(f"/api/cars/{car.pk}/buy/?store=dealer1",
                                                    HTTP_IDEMPOTENCY_KEY="buy-once")
    assert response.status_code == 409 and response.json()["code"] == "insufficient_funds"
    assert selectors.balance(wallet.account_for(buyer)) == Decimal("100.00")
    with schema_context("dealer1"):
        from django_car_listing.models import Car

        assert Car.objects.get(pk=car.pk).is_for_sale


@pytest.mark.django_db
def test_a_purchase_is_at_most_14_sql_statements_and_keeps_its_side_effects(members, make_user, deliver_events,
                                                                            django_capture_on_commit_callbacks):
    """The whole request as an API client sends it (a bearer token), its on-commit work included; the books,
    the notifications and the index row of the buyer's car follow from the relay."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_books.models import VehicleSale
    from rest_framework_simplejwt.tokens import AccessToken

    from django_car_listing.models import Car, ListingIndex
    from django_notifications.models import Notification
    from django_wallet import services as wallet

    d1, _ = members
    car = _listed_dealer_car(d1, make_user(is_staff=True))
    buyer = make_user()
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("15000.00"))
    client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(buyer)}")
    with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/cars/{car.pk}/buy/?store=dealer1", HTTP_IDEMPOTENCY_KEY="buy-1")
    assert response.status_code == 201, response.content
    statements = [q["sql"][:100] for q in ctx.captured_queries]
    assert len(statements) <= 14, "\n".join(statements)
    assert not any("books_" in s for s in statements)  # booked by the event's handler, not in the request
    # The payment, which takes the accounts' row locks, comes after every other write: only its own
    # transaction_posted event and the commit follow it.
    # In the full SQL: the posting names its columns, past the 100 characters kept above.
    paid = next(i for i, q in enumerate(ctx.captured_queries) if "wallet_post(" in q["sql"])
    assert all(s.replace('"', "").startswith(("INSERT INTO forecourt_events_event", "RELEASE SAVEPOINT", "COMMIT"))
               for s in statements[paid + 1:]), "\n".join(statements)
    bought = Car.objects.get(pk=response.json()["car"]["id"])
    assert (bought.owner_id, bought.vin, bought.is_sold) == (buyer.pk, VIN_A, True)
    assert not ListingIndex.objects.filter(store_key="dealer1", car_id=car.pk).exists()
    deliver_events()  # the buyer's car (not for sale) is indexed by the event's handler
    assert ListingIndex.objects.get(store_key="", car_id=bought.pk).owner_id == buyer.pk
    with schema_context("dealer1"):
        assert VehicleSale.objects.get().vehicle_id == car.pk
    assert Notification.objects.filter(recipient=buyer, kind="car_purchase_confirmed").count() == 1


@pytest.mark.django_db
def test_a_dealer_car_purchase_switches_search_path_only_where_a_statement_needs_it(members, make_user):
    """Each statement of a dealership car's purchase runs under the search_path it needs, with four switches:
    the car tables exist in both schemas (the lock and the sale in the dealership's, the buyer's new car, whose
    id the sale records, in public), and the payment runs in public: its event is routed to the schema it is
    recorded in, and wallet_post's cached plans are re-made whenever the search_path differs."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework_simplejwt.tokens import AccessToken

    from django_wallet import services as wallet

    d1, _ = members
    car = _listed_dealer_car(d1, make_user(is_staff=True))
    buyer = make_user()
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("15000.00"))
    client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(buyer)}")
    connection.set_schema_to_public()
    with connection.cursor():
        pass  # the path is known to be public before the request, as after the previous one
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(f"/api/cars/{car.pk}/buy/?store=dealer1", HTTP_IDEMPOTENCY_KEY="buy-paths")
    assert response.status_code == 201, response.content
    path, ran, switches = '"public"', [], 0
    for q in ctx.captured_queries:
        sql = q["sql"].replace('"', "")
        if sql.startswith("SET search_path = "):
            path, switches = q["sql"].removeprefix("SET search_path = "), switches + 1
        else:
            ran.append((path, sql))

    def path_of(marker):
        (found,) = {p for p, sql in ran if marker in sql}
        return found

    dealer, public = '"dealer1","public"', '"public"'
    assert path_of("FOR UPDATE") == dealer  # the dealership's car, locked
    assert path_of("INSERT INTO car_listing_car") == public  # the buyer's new car
    assert path_of("UPDATE car_listing_car") == dealer  # the dealership's car, sold
    assert path_of("wallet_post(") == public and path_of("FROM wallet_account") == public
    assert switches == 4, "\n".join(q["sql"][:100] for q in ctx.captured_queries)
