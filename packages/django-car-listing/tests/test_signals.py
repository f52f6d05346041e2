"""Signals are sent on commit only, with the documented arguments."""
from decimal import Decimal

import pytest

from django_car_listing import services, signals


@pytest.fixture
def received():
    got = []
    handlers = {}
    for name in ("car_created", "car_listed", "car_unlisted", "car_purchased", "car_verified"):
        def handler(sender, _name=name, **kwargs):
            got.append((_name, kwargs))
        handlers[name] = handler
        getattr(signals, name).connect(handler, weak=False)
    yield got
    for name, handler in handlers.items():
        getattr(signals, name).disconnect(handler)


@pytest.mark.django_db
def test_signals_on_commit(make_user, fund, car_data, staff, received, django_capture_on_commit_callbacks):
    seller, buyer = make_user(), make_user()
    fund(buyer, "5000.00")
    with django_capture_on_commit_callbacks(execute=True):
        car = services.car_create(actor=seller, **car_data(price=Decimal("1000.00")))
        assert received == []  # nothing before commit
    services_calls = [
        lambda: services.car_verify(actor=staff, store_key="", car_id=car.pk),
        lambda: services.car_put_on_sale(actor=seller, store_key="", car_id=car.pk),
        lambda: services.car_buy(buyer=buyer, store_key="", car_id=car.pk),
    ]
    for call in services_calls:
        with django_capture_on_commit_callbacks(execute=True):
            call()
    names = [n for n, _ in received]
    assert names == ["car_created", "car_verified", "car_listed", "car_purchased"]
    purchased = received[-1][1]
    assert (purchased["store_key"], purchased["car_id"], purchased["buyer"], purchased["seller"].pk,
            purchased["price"], purchased["sale"]) == ("", car.pk, buyer, seller.pk, Decimal("1000.00"), None)


@pytest.mark.django_db
def test_failed_purchase_sends_nothing(make_user, listed_car, received, django_capture_on_commit_callbacks):
    seller, buyer = make_user(), make_user()
    car = listed_car(seller)
    received.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Exception):  # noqa: B017
        services.car_buy(buyer=buyer, store_key="", car_id=car.pk)  # no money
    assert received == [] and callbacks == []


@pytest.mark.django_db
def test_rejection_is_announced_as_a_verification_decision(make_user, car_data, staff, received,
                                                           django_capture_on_commit_callbacks):
    seller = make_user()
    car = services.car_create(actor=seller, **car_data())
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.car_reject(actor=staff, store_key="", car_id=car.pk, reason="Photos don't match the VIN")
    with django_capture_on_commit_callbacks(execute=True):  # rejecting again for the same reason: no-op, silent
        services.car_reject(actor=staff, store_key="", car_id=car.pk, reason="Photos don't match the VIN")
    assert [(n, kw["car"].verification_status) for n, kw in received] == [("car_verified", "rejected")]
