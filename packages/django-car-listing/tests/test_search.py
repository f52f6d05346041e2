from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from django_car_listing import errors, selectors, services
from django_car_listing.models import ListingIndex

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(make_user, listed_car):
    seller = make_user()
    manager = make_user(perms=["car_listing.add_car", "car_listing.change_car"])
    cars = {
        "corolla": listed_car(seller, make="Toyota", model="Corolla", year=2015, price=Decimal("8000.00"),
                              body_type="sedan", fuel="petrol", transmission="manual",
                              description="Reliable family sedan"),
        "rav4": listed_car(seller, make="Toyota", model="RAV4", year=2021, price=Decimal("25000.00"),
                           body_type="suv", fuel="hybrid", transmission="automatic", description="Panoramic roof"),
        "golf": listed_car(store_key="dealer1", manager=manager, make="Volkswagen", model="Golf", year=2018,
                           price=Decimal("12000.00"), body_type="hatchback", fuel="diesel",
                           transmission="manual", description="One owner, full service history"),
        "model3": listed_car(store_key="dealer2", manager=manager, make="Tesla", model="Model 3", year=2022,
                             price=Decimal("35000.00"), body_type="sedan", fuel="electric",
                             transmission="automatic", description="Autopilot, white interior"),
    }
    hidden = listed_car(seller, verify=False, make="Toyota", model="Hidden")  # not verified: not in market
    off = listed_car(seller, make="Toyota", model="Offsale")
    services.car_return_from_sale(actor=seller, store_key="", car_id=off.pk)
    return cars, hidden, seller, manager


def _search(sort="featured", **filters):
    return [(r.store_key, r.car_id) for r in selectors.marketplace_page(filters=filters, sort=sort, limit=100).results]


def _keys(cars, *names):
    return [(cars[n].store_key, cars[n].pk) for n in names]


class SearchTests:
    def test_filters(self, market):
        cars, *_ = market
        assert set(_search()) == set(_keys(cars, "corolla", "rav4", "golf", "model3"))
        assert set(_search(make="toyota")) == set(_keys(cars, "corolla", "rav4"))
        assert _search(model="golf") == _keys(cars, "golf")
        assert set(_search(year_min=2018, year_max=2021)) == set(_keys(cars, "rav4", "golf"))
        assert set(_search(price_min=Decimal("10000"), price_max=Decimal("30000"))) == set(_keys(cars, "rav4", "golf"))
        assert set(_search(body_type="sedan")) == set(_keys(cars, "corolla", "model3"))
        assert _search(fuel="diesel") == _keys(cars, "golf")
        assert set(_search(transmission="automatic")) == set(_keys(cars, "rav4", "model3"))
        assert _search(store="dealer2") == _keys(cars, "model3")
        assert set(_search(store="")) == set(_keys(cars, "corolla", "rav4"))
        assert _search(q="service history") == _keys(cars, "golf")
        assert _search(q="tesla") == _keys(cars, "model3")
        assert _search(q="panoramic") == _keys(cars, "rav4")

    def test_sorting_and_featured_first(self, market, fund):
        cars, _, seller, manager = market
        assert _search(sort="price") == _keys(cars, "corolla", "golf", "rav4", "model3")
        assert _search(sort="-price") == _keys(cars, "model3", "rav4", "golf", "corolla")
        assert _search(sort="newest") == _keys(cars, "model3", "golf", "rav4", "corolla")
        fund(seller, "100.00")
        services.car_feature(actor=seller, store_key="", car_id=cars["corolla"].pk, days=3)
        assert _search()[0] == _keys(cars, "corolla")[0]
        # Expired featuring no longer sorts first once the periodic expiry has run.
        ListingIndex.objects.filter(car_id=cars["corolla"].pk, store_key="").update(
            featured_until=timezone.now() - timedelta(seconds=1))
        assert services.featured_expire() == 1
        assert _search() == _keys(cars, "model3", "golf", "rav4", "corolla")

    def test_index_follows_changes(self, market, staff):
        cars, hidden, seller, _ = market
        services.car_verify(actor=staff, store_key="", car_id=hidden.pk)
        assert ("", hidden.pk) in _search()
        services.car_update(actor=seller, store_key="", car_id=hidden.pk, make="Honda")  # re-verification
        assert ("", hidden.pk) not in _search()
        services.car_delete(actor=seller, store_key="", car_id=cars["corolla"].pk)
        assert ("", cars["corolla"].pk) not in _search()
        services.car_update(actor=seller, store_key="", car_id=cars["rav4"].pk, price=Decimal("7000.00"))
        assert _search(sort="price")[0] == _keys(cars, "rav4")[0]


@pytest.mark.parametrize("size", [10, 100])
def test_api_query_count_constant(size, make_user, staff, car_data, api, django_assert_max_num_queries):
    manager = make_user(perms=["car_listing.add_car", "car_listing.change_car"])
    rows = []
    for i in range(size):
        store_key = f"dealer{i % 7}" if i % 2 else ""
        rows.append(ListingIndex(store_key=store_key, store_name=f"S{i % 7}", car_id=i + 1, make="Make", model="M",
                                 year=2020, price=Decimal("1000.00") + i, body_type="sedan", fuel="petrol",
                                 transmission="manual", sale_type="fixed", verified=True, is_for_sale=True,
                                 listed_at=timezone.now(), thumbnail=f"car_listing/x/{i}.jpg"))
    ListingIndex.objects.bulk_create(rows)
    assert manager
    with django_assert_max_num_queries(2):
        response = api().get("/api/cars/", {"page_size": size, "sort": "price"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == size and len(body["results"]) == size
    assert [r["price"] for r in body["results"]] == sorted((r["price"] for r in body["results"]), key=Decimal)


def test_count_is_capped(settings, market):
    settings.CAR_LISTING_SEARCH_COUNT_CAP = 2
    page = selectors.marketplace_page(filters={}, limit=1)
    assert (page.count, page.count_capped, len(page.results)) == (2, True, 1)
    settings.CAR_LISTING_SEARCH_COUNT_CAP = None
    page = selectors.marketplace_page(filters={}, limit=1)
    assert (page.count, page.count_capped) == (4, False)


def test_a_capped_count_is_null_in_the_page_shape_and_next_still_leads_on(settings, market, api):
    settings.CAR_LISTING_SEARCH_COUNT_CAP = 2
    seen, url = [], "/api/cars/?page_size=1&sort=price"
    while url:
        body = api().get(url).json()
        assert body["count"] is None and set(body) == {"count", "next", "previous", "results"}
        seen += [(r["store"], r["id"]) for r in body["results"]]
        url = body["next"]
    assert seen == _search("price")
    settings.CAR_LISTING_SEARCH_COUNT_CAP = None
    body = api().get("/api/cars/", {"page_size": 2, "page": 2}).json()
    assert body["count"] == 4 and body["next"] is None and "page=1" in body["previous"]


def _walk(sort, limit, **filters):
    """Every row of a search, page after page through next_cursor."""
    seen, cursor = [], None
    for _ in range(50):
        page = selectors.marketplace_page(filters=filters, sort=sort, limit=limit, cursor=cursor)
        seen += [(r.store_key, r.car_id) for r in page.results]
        cursor = page.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("the cursor walk did not end")


@pytest.mark.parametrize("sort", ["featured", "newest", "price", "-price"])
def test_cursor_pages_match_offset_pages(sort, market, fund):
    cars, _, seller, _ = market
    fund(seller, "100.00")
    services.car_feature(actor=seller, store_key="", car_id=cars["rav4"].pk, days=3)
    # Ties on the sort key (same price, same listed_at) are broken by id, in both modes.
    ListingIndex.objects.filter(car_id=cars["golf"].pk, store_key="dealer1").update(price=Decimal("8000.00"))
    everything = _search(sort)
    assert len(everything) == 4
    for limit in (1, 2, 3):
        assert _walk(sort, limit) == everything
    assert _walk(sort, 1, make="toyota") == _search(sort, make="toyota")
    page = selectors.marketplace_page(filters={}, sort=sort, limit=2)
    assert (page.count, len(page.results)) == (4, 2)
    after = selectors.marketplace_page(filters={}, sort=sort, limit=2, cursor=page.next_cursor, offset=40)
    assert [(r.store_key, r.car_id) for r in after.results] == everything[2:]  # offset is ignored
    assert after.count == 4 and after.next_cursor is not None  # a full page; the next one is empty


def test_bad_cursors_are_refused(market):
    page = selectors.marketplace_page(filters={}, sort="price", limit=1)
    for cursor, sort in ((page.next_cursor, "newest"), ("not-a-cursor", "price"), (page.next_cursor[:-3], "price"),
                         ("eyJzIjoicHJpY2UiLCJ2IjpbIk5hTiIsMV19", "price"),  # {"s":"price","v":["NaN",1]}
                         ("eyJzIjoibmV3ZXN0IiwidiI6WyIyMDI2LTAxLTAxIiwxXX0", "newest")):  # naive datetime
        with pytest.raises(errors.InvalidCursor):
            selectors.marketplace_page(filters={}, sort=sort, limit=1, cursor=cursor)


def test_api_cursor(market, api):
    first = api().get("/api/cars/", {"page_size": 3, "sort": "newest"}).json()
    assert len(first["results"]) == 3 and "cursor=" in first["next"] and first["previous"] is None
    rest = api().get(first["next"]).json()  # the kernel's page shape: follow `next`
    assert len(rest["results"]) == 1 and rest["next"] is None and rest["previous"] is None
    assert rest["count"] == 4
    assert {(r["store"], r["id"]) for r in first["results"] + rest["results"]} == set(_search("newest"))
    cursor = parse_qs(urlsplit(first["next"]).query)["cursor"][0]
    bad = api().get("/api/cars/", {"sort": "price", "cursor": cursor})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_cursor"
