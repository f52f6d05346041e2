"""Forms as a person meets them: every error at once at its field, photos kept after a failed submit,
VINs checked as ISO 3779 says; and the labels of My cars, purchases, the car page and a dealer host."""
import html
import io
import re
from decimal import Decimal

import pytest
from PIL import Image

from django_car_listing import selectors as cars
from django_car_listing import services as car_services
from django_wallet import services as wallet
from forecourt_core.events.services import events_relay
from tests.conftest import host_client

pytestmark = pytest.mark.django_db
EUROPEAN_VIN = "WAUZZZ8K9HA012345"  # an Audi built in Germany: no check digit in position 9
CAR = {"make": "Volvo", "model": "V70", "year": 2012, "price": "7500.00", "mileage": 120000,
       "body_type": "wagon", "fuel": "diesel", "transmission": "manual", "sale_type": "fixed"}


def field_errors(page: str) -> dict[str, list[str]]:
    """{field id: [its error messages]} for every field rendered by includes/field.html."""
    errors = {}
    for chunk in page.split('<div class="field')[1:]:
        label = re.search(r'<label for="([^"]+)"', chunk)
        body = chunk.split("</div>", 1)[0]
        found = re.findall(r'<p class="field-error" role="alert">(.*?)</p>', body, re.S)
        if label and found:
            errors[label.group(1)] = [html.unescape(e) for e in found]
    return errors


def _png(name="front.png", colour=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def test_every_error_is_reported_at_once_at_its_field(make_user):
    client = host_client("localhost", make_user())
    bad = {**CAR, "make": "", "year": 1800, "price": "-5", "vin": "1M8GDM9A1KP042788"}
    response = client.post("/me/cars/new/", bad)
    assert response.status_code == 200
    errors = field_errors(response.content.decode())
    assert set(errors) == {"id_make", "id_year", "id_price", "id_vin"}
    assert "check digit" in errors["id_vin"][0] and "'X'" in errors["id_vin"][0]
    assert "4 highlighted fields" in response.content.decode()
    assert cars.store_cars(store_key="", owner=response.wsgi_request.user).count == 0


def test_a_vin_with_forbidden_letters_is_explained_at_the_field(make_user):
    client = host_client("localhost", make_user())
    response = client.post("/me/cars/new/", {**CAR, "vin": "1M8GDM9AXKPO42788"})
    assert field_errors(response.content.decode()) == {
        "id_vin": ["A VIN has 17 characters, digits and capital letters except I, O and Q."]}


def test_a_european_vin_without_a_check_digit_is_accepted(make_user):
    seller = make_user()
    client = host_client("localhost", seller)
    response = client.post("/me/cars/new/", {**CAR, "vin": EUROPEAN_VIN.lower()})
    assert response.status_code == 302
    assert cars.store_cars(store_key="", owner=seller).results[0].vin == EUROPEAN_VIN


def test_a_duplicate_vin_is_reported_at_the_vin_field(make_user):
    seller = make_user()
    client = host_client("localhost", seller)
    assert client.post("/me/cars/new/", {**CAR, "vin": EUROPEAN_VIN}).status_code == 302
    again = client.post("/me/cars/new/", {**CAR, "vin": EUROPEAN_VIN})
    assert list(field_errors(again.content.decode())) == ["id_vin"]


def test_a_photo_chosen_on_a_failed_submit_is_kept_and_saved_with_the_car(make_user):
    seller = make_user()
    client = host_client("localhost", seller)
    failed = client.post("/me/cars/new/", {**CAR, "vin": "BAD", "images": [_png("front.png")]})
    page = failed.content.decode()
    assert "id_vin" in field_errors(page) and "front.png" in page
    tokens = re.findall(r'name="staged" value="([0-9a-f]{32})"', page)
    assert len(tokens) == 1

    saved = client.post("/me/cars/new/", {**CAR, "vin": EUROPEAN_VIN, "staged": tokens}, follow=True)
    assert "with 1 photo(s)" in saved.content.decode()
    car = cars.store_cars(store_key="", owner=seller).results[0]
    assert car.images.count() == 1
    # Taken once: the token is spent and another session can never claim it.
    other = host_client("localhost", make_user())
    other_try = other.post("/me/cars/new/", {**CAR, "vin": "1M8GDM9AXKP042788", "staged": tokens}, follow=True)
    assert "photo(s)" not in other_try.content.decode()


def test_a_token_from_another_session_is_ignored(make_user):
    first = host_client("localhost", make_user())
    page = first.post("/me/cars/new/", {**CAR, "vin": "BAD", "images": [_png()]}).content.decode()
    tokens = re.findall(r'name="staged" value="([0-9a-f]{32})"', page)
    thief = make_user()
    response = host_client("localhost", thief).post("/me/cars/new/", {**CAR, "vin": EUROPEAN_VIN, "staged": tokens})
    assert response.status_code == 302
    assert cars.store_cars(store_key="", owner=thief).results[0].images.count() == 0


def test_a_file_that_is_not_an_image_is_an_error_at_the_photos_field_with_the_others(make_user):
    client = host_client("localhost", make_user())
    text = io.BytesIO(b"not an image")
    text.name = "notes.png"
    response = client.post("/me/cars/new/", {**CAR, "make": "", "vin": EUROPEAN_VIN, "images": [text]})
    errors = field_errors(response.content.decode())
    assert set(errors) == {"id_make", "id_images"} and errors["id_images"][0].startswith("notes.png: ")


# --- labels --------------------------------------------------------------------------------------

@pytest.fixture
def bought(make_user, django_capture_on_commit_callbacks):
    """seller-l sold a listed Saab to buyer-l on the marketplace (its events relayed)."""
    seller, buyer, admin = make_user("seller-l"), make_user("buyer-l"), make_user("admin-l", is_staff=True)
    car = car_services.car_create(actor=seller, store_key="", make="Saab", model="9-3", year=2008,
                                  price=Decimal("3500.00"), vin=EUROPEAN_VIN)
    car_services.car_verify(actor=admin, store_key="", car_id=car.pk)
    car_services.car_put_on_sale(actor=seller, store_key="", car_id=car.pk)
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("5000.00"))
    with django_capture_on_commit_callbacks(execute=True):
        record = car_services.car_buy(buyer=buyer, store_key="", car_id=car.pk)
    events_relay()  # the purchase's events become notifications, as the relay task does after the commit
    return {"seller": seller, "buyer": buyer, "car": record.car}


def test_my_cars_calls_a_bought_car_bought_not_sold(bought):
    page = host_client("localhost", bought["buyer"]).get("/me/cars/").content.decode()
    status = re.search(r'<td data-label="Status" class="car-status">(.*?)</td>', page).group(1)
    assert "Bought" in status and "Sold" not in status


def test_the_seller_still_sees_the_sold_car_on_their_page(bought):
    page = host_client("localhost", bought["seller"]).get("/me/cars/").content.decode()
    sold = page.split('id="sold"', 1)[1]
    assert "2008 Saab 9-3" in sold and "$3,500.00" in sold and "buyer-l" in sold


def test_the_car_page_names_no_seller_on_the_buyers_own_car(bought):
    page = host_client("localhost", bought["buyer"]).get(f"/cars/{bought['car'].pk}/").content.decode()
    assert "This is your car" in page and "Seller:" not in page and 'id="seller"' not in page


def test_a_purchase_from_a_dealership_shows_its_name_not_its_slug(dealer1, make_user):
    from django_tenants.utils import schema_context

    from tenancy.services import membership_grant

    dealer, buyer, admin = make_user("boss-l"), make_user("buyer-d"), make_user("admin-d", is_staff=True)
    membership_grant(user=dealer, dealership=dealer1, role="dealer")
    with schema_context("dealer1"):
        car = car_services.car_create(actor=dealer, store_key="dealer1", make="Audi", model="A4", year=2019,
                                      price=Decimal("21000.00"), vin=EUROPEAN_VIN)
        car_services.car_verify(actor=admin, store_key="dealer1", car_id=car.pk)
        car_services.car_put_on_sale(actor=dealer, store_key="dealer1", car_id=car.pk)
    wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("30000.00"))
    car_services.car_buy(buyer=buyer, store_key="dealer1", car_id=car.pk)
    page = host_client("localhost", buyer).get("/me/purchases/").content.decode()
    seller_cell = re.search(r'<td data-label="From" class="seller">(.*?)</td>', page).group(1)
    assert seller_cell == dealer1.name and dealer1.name != "dealer1"


def test_signing_up_on_a_dealer_host_explains_how_to_join(dealer1):
    page = host_client("dealer1.localhost").get("/accounts/signup/")
    body = page.content.decode()
    assert page.status_code == 200 and f"Join {dealer1.name}" in body
    assert "http://localhost:" in body and "/accounts/signup/" in body and "add you as a member" in body
    assert 'name="password"' not in body


def test_notifications_link_to_what_they_are_about(bought):
    page = host_client("localhost", bought["buyer"]).get("/me/notifications/").content.decode()
    link = re.search(r'<a href="([^"]+)" class="notification-link"><strong>You bought the 2008 Saab 9-3</strong>', page)
    assert link and link.group(1).endswith(f"/me/cars/{bought['car'].pk}/")
