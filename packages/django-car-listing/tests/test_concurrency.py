"""Real threads (own DB connections): 50 buy one car at once and the row lock lets exactly one win; a
listing racing the purchase event's index handler."""
import threading
from decimal import Decimal

import pytest
from django.db import connection

from django_car_listing import handlers, services
from django_car_listing.models import ListingIndex, OwnershipRecord
from django_wallet.verification import verify_ledger
from forecourt_core.errors import DomainError
from forecourt_core.events.models import Event
from forecourt_core.events.services import events_relay
from forecourt_core.racing import each_at_once
from forecourt_core.testing.helpers import wait_for
from tests.conftest import balance

BUYERS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_one_car(make_user, fund, listed_car):
    seller = make_user()
    buyers = [make_user() for _ in range(BUYERS)]
    for b in buyers:
        fund(b, "1500.00")
    car = listed_car(seller, price=Decimal("1000.00"))
    barrier = threading.Barrier(BUYERS)
    outcomes: dict[int, str] = {}

    def buy(buyer):
        try:
            barrier.wait(timeout=30)
            services.car_buy(buyer=buyer, store_key="", car_id=car.pk)
            outcomes[buyer.pk] = "won"
        except DomainError as exc:
            outcomes[buyer.pk] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(b,)) for b in buyers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    winners = [pk for pk, o in outcomes.items() if o == "won"]
    assert len(outcomes) == BUYERS and len(winners) == 1
    assert {o for o in outcomes.values() if o != "won"} == {"car_not_available"}
    car.refresh_from_db()
    assert car.owner_id == winners[0] and not car.is_for_sale
    assert balance(seller) == Decimal("1000.00")
    for b in buyers:
        assert balance(b) == (Decimal("500.00") if b.pk == winners[0] else Decimal("1500.00"))
    assert OwnershipRecord.objects.filter(kind="purchase").count() == 1
    assert Event.objects.filter(kind="car_listing.car_purchased").count() == 1  # one sale, one event
    assert verify_ledger().ok


@pytest.mark.django_db(transaction=True)
def test_same_idempotency_key_concurrently_buys_once(make_user, fund, listed_car):
    seller, buyer = make_user(), make_user()
    fund(buyer, "1500.00")
    car = listed_car(seller, price=Decimal("1000.00"))
    n = 6
    barrier = threading.Barrier(n)
    results: list = []

    def buy():
        try:
            barrier.wait(timeout=30)
            results.append(services.car_buy(buyer=buyer, store_key="", car_id=car.pk, idempotency_key="same").pk)
        except Exception as exc:  # noqa: BLE001 - recorded and asserted below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=buy) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == n and len(set(results)) == 1 and isinstance(results[0], int)
    assert balance(buyer) == Decimal("500.00") and balance(seller) == Decimal("1000.00")


@pytest.mark.django_db(transaction=True)
def test_same_idempotency_key_on_two_cars_concurrently_buys_one(make_user, fund, listed_car):
    """Neither request finds the key used before its writes: the unique (owner, key) index makes the second
    wait for the first and refuses it as a conflict, not a 500."""
    seller, buyer = make_user(), make_user()
    fund(buyer, "2500.00")
    cars = [listed_car(seller, price=Decimal("1000.00")) for _ in range(2)]

    def buy(car):
        def send():
            try:
                return services.car_buy(buyer=buyer, store_key="", car_id=car.pk, idempotency_key="same").pk
            except Exception as exc:  # noqa: BLE001 - recorded and asserted below
                return exc
        return send

    results = dict(zip([c.pk for c in cars], each_at_once(*[buy(c) for c in cars]), strict=True))
    won = [pk for pk, r in results.items() if isinstance(r, int)]
    assert len(results) == 2 and len(won) == 1, results
    assert [getattr(r, "code", None) for r in results.values() if not isinstance(r, int)] == ["idempotency_conflict"]
    assert balance(buyer) == Decimal("1500.00") and balance(seller) == Decimal("1000.00")
    assert [r.car_id for r in OwnershipRecord.objects.filter(owner=buyer)] == won
    for car in cars:
        car.refresh_from_db()
        assert car.is_for_sale == (car.pk not in won)
    assert verify_ledger().ok


def _waits_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cur.fetchone()
    return bool(row) and row[0] == "Lock"


@pytest.mark.django_db(transaction=True)
def test_listing_the_bought_car_while_its_index_handler_runs_leaves_it_for_sale(bought_store_car, monkeypatch):
    """The relay's handler has read the bought car and not yet written its row when the buyer lists it: the
    listing waits for the handler's lock on the car, then writes the for-sale row (a handler reading the car
    without the lock would overwrite the listing's row with its not-for-sale copy)."""
    buyer, mine, event = bought_store_car
    car_read, go_on = threading.Event(), threading.Event()
    index_sync = handlers.index_sync

    def index_sync_after_the_listing(*, car):
        car_read.set()
        go_on.wait(timeout=30)
        index_sync(car=car)

    monkeypatch.setattr(handlers, "index_sync", index_sync_after_the_listing)
    outcomes: dict = {}

    def relay():
        try:
            outcomes["relayed"] = events_relay(ids=[event.pk])
        finally:
            connection.close()

    def list_it():
        try:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                outcomes["pid"] = cur.fetchone()[0]
            services.car_put_on_sale(actor=buyer, store_key="", car_id=mine.pk, price=Decimal("2600.00"))
            outcomes["listed"] = True
        finally:
            connection.close()

    relayer, lister = threading.Thread(target=relay), threading.Thread(target=list_it)
    relayer.start()
    try:
        assert car_read.wait(timeout=30)
        lister.start()
        # The listing either finished (the handler holds no lock on the car) or waits for a lock.
        wait_for(lambda: not lister.is_alive() or ("pid" in outcomes and _waits_for_a_lock(outcomes["pid"])))
    finally:
        go_on.set()
        relayer.join(timeout=60)
        if lister.ident is not None:
            lister.join(timeout=60)
    assert outcomes.get("relayed") == 1 and outcomes.get("listed") is True
    row = ListingIndex.objects.get(store_key="", car_id=mine.pk)
    assert (row.is_for_sale, row.price) == (True, Decimal("2600.00"))
