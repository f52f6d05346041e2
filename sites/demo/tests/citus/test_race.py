"""50 buyers race for one dealer car on the cluster: the payment on the coordinator, the sale on a worker.

One purchase, the dealership credited once, every loser unchanged, the ledger clean: the row lock on the
car in the dealer's schema (on its worker) and the wallet's locks (on the coordinator) hold across nodes.
"""
import os
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context

from forecourt_core.errors import DomainError
from forecourt_core.racing import at_once
from tests.test_marketplace import _listed_dealer_car

pytestmark = pytest.mark.skipif(not os.environ.get("CITUS_WORKERS"),
                                reason="needs a Citus cluster (dev.py test --citus)")
BUYERS = 50


def test_fifty_buyers_one_dealer_car_across_nodes(committed_db):
    from django_car_listing.models import Car, StoreSale
    from django_car_listing.services import car_buy
    from django_wallet import selectors
    from django_wallet import services as wallet
    from django_wallet.verification import verify_ledger
    from tenancy.models import Dealership
    from tenancy.services import membership_grant

    users = get_user_model().objects
    dealer1 = Dealership.objects.get(slug="dealer1")
    staff = users.create_user(username="race-staff")
    membership_grant(user=staff, dealership=dealer1, role="dealer_staff")
    car = _listed_dealer_car(staff, users.create_user(username="race-admin", is_staff=True), price="1000.00")
    buyers = [users.create_user(username=f"racer{i}") for i in range(BUYERS)]
    for buyer in buyers:
        wallet.deposit(account=wallet.account_for(buyer), amount=Decimal("1500.00"))
    dealer_before = selectors.balance(wallet.account_for(dealer1))
    racing = iter(buyers)  # each thread takes the next buyer

    def buy() -> tuple[int, str]:
        buyer = next(racing)
        try:
            car_buy(buyer=buyer, store_key="dealer1", car_id=car.pk)
            return buyer.pk, "won"
        except DomainError as exc:
            return buyer.pk, exc.code

    outcomes = dict(at_once(buy, times=BUYERS, timeout=60))
    winners = [pk for pk, outcome in outcomes.items() if outcome == "won"]
    assert len(outcomes) == BUYERS and len(winners) == 1, outcomes
    assert {o for o in outcomes.values() if o != "won"} == {"car_not_available"}
    assert selectors.balance(wallet.account_for(dealer1)) == dealer_before + Decimal("1000.00")
    for buyer in buyers:
        expected = Decimal("500.00") if buyer.pk == winners[0] else Decimal("1500.00")
        assert selectors.balance(wallet.account_for(buyer)) == expected
    assert Car.objects.filter(owner_id=winners[0]).count() == 1  # the buyer's car, in public
    with schema_context("dealer1"):
        assert StoreSale.objects.count() == 1
    assert verify_ledger().ok
