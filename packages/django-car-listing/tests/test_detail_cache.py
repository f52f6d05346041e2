"""A listed car's detail page is cached (real Redis) until the next index write; others never are.

Committed data (transaction=True): the cache is bypassed inside a transaction."""
from decimal import Decimal

import pytest

from django_car_listing import services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_cache")]


def _detail(api, car, user=None):
    return api(user).get(f"/api/cars/{car.pk}/", {"store": car.store_key})


def test_a_hit_reads_no_car_and_every_write_is_in_the_next_read(make_user, listed_car, api, fund,
                                                               django_assert_max_num_queries):
    seller = make_user()
    car = listed_car(seller, make="Kia", model="Ceed", price=Decimal("9000.00"))
    first = _detail(api, car)
    assert first.status_code == 200 and first.json()["price"] == "9000.00"
    with django_assert_max_num_queries(0):  # force_authenticate, no tenant lookup: nothing but the cache
        assert _detail(api, car).json() == first.json()

    services.car_update(actor=seller, store_key="", car_id=car.pk, price=Decimal("9500.00"))
    assert _detail(api, car).json()["price"] == "9500.00"
    buyer = make_user()
    fund(buyer, "10000.00")
    services.car_buy(buyer=buyer, store_key="", car_id=car.pk)
    assert _detail(api, car).status_code == 404  # sold: no longer listed, and not theirs to manage


def test_an_unlisted_car_is_never_cached_and_stays_its_managers(make_user, listed_car, api):
    seller = make_user()
    car = listed_car(seller, make="Kia", model="Ceed")
    services.car_return_from_sale(actor=seller, store_key="", car_id=car.pk)
    assert _detail(api, car, seller).status_code == 200  # the owner manages it
    assert _detail(api, car).status_code == 404  # the owner's read left nothing for anyone else
    assert _detail(api, car, make_user()).status_code == 404


def test_a_write_invalidates_only_that_cars_page(make_user, listed_car, api, fund, django_assert_max_num_queries):
    seller = make_user()
    kia, saab = (listed_car(seller, make=make, model="X") for make in ("Kia", "Saab"))
    _detail(api, kia), _detail(api, saab)
    buyer = make_user()
    fund(buyer, "100000.00")
    services.car_buy(buyer=buyer, store_key="", car_id=kia.pk)  # bumps every search page and Kia's page
    with django_assert_max_num_queries(0):
        assert _detail(api, saab).json()["make"] == "Saab"  # still a hit
    assert _detail(api, kia).status_code == 404


def test_every_spelling_of_an_id_shares_the_one_entry_its_writes_invalidate(make_user, listed_car, api):
    seller = make_user()
    car = listed_car(seller, make="Kia", model="Ceed", price=Decimal("9000.00"))
    for spelling in (f"0{car.pk}", str(car.pk)):
        assert api().get(f"/api/cars/{spelling}/", {"store": ""}).json()["price"] == "9000.00"
    services.car_update(actor=seller, store_key="", car_id=car.pk, price=Decimal("9100.00"))
    assert api().get(f"/api/cars/0{car.pk}/", {"store": ""}).json()["price"] == "9100.00"
    assert api().get("/api/cars/nope/").status_code == 404
