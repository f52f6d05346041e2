"""50 real threads (own DB connections) buy one car at once: the row lock lets exactly one win."""
import threading
from decimal import Decimal

import pytest
from django.db import connection

from django_car_listing import services
from django_car_listing.models import OwnershipRecord
from django_wallet.verification import verify_ledger
from forecourt_core.errors import DomainError
from forecourt_core.events.models import Event
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
