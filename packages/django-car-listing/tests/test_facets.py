"""Marketplace facets and their cache (real Redis): counts, invalidation on every index write, hits.

Committed data (transaction=True): the cache is bypassed inside a transaction, where rows may be
uncommitted, and the generation bumps run on commit."""
from decimal import Decimal

import pytest
from django.db import transaction

from django_car_listing import cache, facets, services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_cache")]


@pytest.fixture
def market(make_user, listed_car):
    seller = make_user()
    manager = make_user(perms=["car_listing.add_car", "car_listing.change_car"])
    listed_car(seller, make="Toyota", model="Corolla", year=2015, price=Decimal("8000.00"), body_type="sedan",
               fuel="petrol")
    listed_car(seller, make="Toyota", model="RAV4", year=2021, price=Decimal("25000.00"), body_type="suv",
               fuel="hybrid")
    listed_car(store_key="dealer1", manager=manager, make="Volkswagen", model="Golf", year=2018,
               price=Decimal("12000.00"), body_type="hatchback", fuel="diesel")
    listed_car(seller, verify=False, make="Tesla", model="Hidden")  # not verified: not in the marketplace
    return seller, manager


def _counts(result, dim):
    return {row["value"]: row["count"] for row in result["facets"][dim]}


def test_counts_honour_other_filters_but_not_their_own(market):
    everything = facets.marketplace_facets(filters={})
    assert everything["count"] == 3
    assert _counts(everything, "make") == {"Toyota": 2, "Volkswagen": 1}
    assert everything["price"] == {"min": Decimal("8000.00"), "max": Decimal("25000.00")}
    assert everything["year"] == {"min": 2015, "max": 2021}

    toyota = facets.marketplace_facets(filters={"make": "toyota"})
    assert toyota["count"] == 2
    assert _counts(toyota, "make") == {"Toyota": 2, "Volkswagen": 1}  # still offers the other makes
    assert _counts(toyota, "body_type") == {"sedan": 1, "suv": 1}  # narrowed by the make
    assert _counts(facets.marketplace_facets(filters={"store": ""}), "make") == {"Toyota": 2}  # private only


def test_a_hit_runs_no_query(market, django_assert_num_queries):
    with django_assert_num_queries(6):
        first = facets.marketplace_facets(filters={"fuel": "petrol"})
    with django_assert_num_queries(0):
        assert facets.marketplace_facets(filters={"fuel": "petrol"}) == first


def test_every_index_write_is_visible_in_the_next_read(market, listed_car, make_user, fund):
    seller, manager = market
    assert facets.marketplace_facets(filters={})["count"] == 3  # cached now
    kia = listed_car(seller, make="Kia", model="Ceed")
    after_listing = facets.marketplace_facets(filters={})
    assert after_listing["count"] == 4 and _counts(after_listing, "make")["Kia"] == 1

    services.car_update(actor=seller, store_key="", car_id=kia.pk, price=Decimal("99999.00"))
    assert facets.marketplace_facets(filters={})["price"]["max"] == Decimal("99999.00")

    buyer = make_user()
    fund(buyer, "100000.00")
    services.car_buy(buyer=buyer, store_key="", car_id=kia.pk)
    after_sale = facets.marketplace_facets(filters={})
    assert after_sale["count"] == 3 and "Kia" not in _counts(after_sale, "make")


def test_inside_a_transaction_the_cache_is_bypassed_and_a_rollback_leaves_no_trace(
        market, listed_car, django_assert_num_queries):
    seller, _ = market
    facets.marketplace_facets(filters={})  # cached: 3 listings
    with pytest.raises(RuntimeError), transaction.atomic():
        listed_car(seller, make="Kia", model="Ceed")
        assert facets.marketplace_facets(filters={})["count"] == 4  # its own uncommitted write, not the cache
        raise RuntimeError("roll back")
    with django_assert_num_queries(0):
        assert facets.marketplace_facets(filters={})["count"] == 3  # the entry from before, still valid


def test_a_lost_generation_never_resurrects_an_old_payload(market, redis_cache):
    from django_car_listing.models import ListingIndex

    assert _counts(facets.marketplace_facets(filters={}), "make") == {"Toyota": 2, "Volkswagen": 1}
    ListingIndex.objects.filter(make="Volkswagen").update(make="Skoda")  # a change that sends no bump...
    redis_cache.delete(cache.GENERATION_KEY)  # ...and an eviction: the old entry must not match again
    assert _counts(facets.marketplace_facets(filters={}), "make") == {"Toyota": 2, "Skoda": 1}


def test_distinct_filters_get_distinct_entries(market):
    assert cache.key_for("facets", {"store": ""}) != cache.key_for("facets", {})
    assert cache.key_for("facets", {"price_min": Decimal("1")}) != cache.key_for("facets", {"price_min": "1"})
    assert facets.marketplace_facets(filters={"store": "dealer1"})["count"] == 1
    assert facets.marketplace_facets(filters={"store": ""})["count"] == 2


def test_api(market, api):
    r = api().get("/api/cars/facets/", {"make": "Volkswagen"})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1
    assert {"value": "Volkswagen", "count": 1} in body["facets"]["make"]
    assert body["price"] == {"min": "12000.00", "max": "12000.00"}
    assert api().get("/api/cars/facets/", {"year_min": "soon"}).status_code == 400


def test_api_body_is_what_its_documented_serializer_renders(market, api):
    """The view skips FacetsOutput for speed; the body must still be exactly what FacetsOutput gives."""
    import json

    from rest_framework.renderers import JSONRenderer

    from django_car_listing.api.facets import FacetsOutput

    for params in ({}, {"fuel": "petrol"}, {"make": "Nobody"}):  # "Nobody": empty counts and null ranges
        body = api().get("/api/cars/facets/", params).json()
        documented = FacetsOutput(facets.marketplace_facets(filters=params)).data
        assert body == json.loads(JSONRenderer().render(documented))


@pytest.mark.parametrize("path", ["/api/cars/", "/api/cars/facets/"])
def test_responses_are_cached_by_raw_query_and_a_400_never_is(market, api, path, django_assert_max_num_queries):
    """Search pages and facets are keyed by the raw query string (a hit skips validating it)."""
    assert api().get(path, {"year_min": "soon"}).status_code == 400
    assert api().get(path, {"year_min": "soon"}).status_code == 400  # nothing was stored for it
    first = api().get(path, {"make": "Toyota", "fuel": "petrol"}).json()
    with django_assert_max_num_queries(0):
        assert api().get(path, {"fuel": "petrol", "make": "Toyota"}).json() == first  # same query, any order
    assert api().get(path, {"make": "toyota", "fuel": "petrol"}).json() == first  # another spelling: own entry
