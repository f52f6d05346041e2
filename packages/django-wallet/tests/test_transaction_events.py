"""wallet.transaction_posted: recorded in the posting's transaction for the accounts a site follows
(WALLET_TRANSACTION_EVENT_OWNERS), with each followed account's net movement; never otherwise."""
from decimal import Decimal

import pytest

from django_wallet import services
from forecourt_core.events.models import Event

pytestmark = pytest.mark.django_db
D = Decimal


def _posted():
    return list(Event.objects.filter(kind="wallet.transaction_posted").order_by("created_at"))


def test_nothing_is_recorded_unless_a_site_follows_an_owner(funded):
    funded("50.00")
    assert _posted() == []


def test_a_followed_owners_movements_are_recorded_once_per_transaction(funded, make_user, settings):
    settings.WALLET_TRANSACTION_EVENT_OWNERS = ["testapp.User"]
    payer, payee = funded("0"), services.account_for(make_user())
    top_up = services.deposit(account=payer, amount=D("80.00"), memo="capital")
    moved = services.transfer(source=payer, destination=payee, amount=D("30.00"))
    services.deposit(account=services.system_account("fees"), amount=D("5.00"))  # no followed account
    assert [e.data["transaction_id"] for e in _posted()] == [str(top_up.pk), str(moved.pk)]
    first, second = _posted()
    assert (first.data["kind"], first.data["memo"]) == ("deposit", "capital")
    assert first.data["entries"] == [{"account_id": payer.pk, "owner": "testapp.User",
                                      "owner_id": payer.owner_id, "amount": "80.00"}]
    assert sorted((e["account_id"], e["amount"]) for e in second.data["entries"]) == [
        (payer.pk, "-30.00"), (payee.pk, "30.00")]
    # An idempotent replay posts nothing, so it records nothing.
    for _ in range(2):
        services.deposit(account=payer, amount=D("1.00"), idempotency_key="k", idempotency_scope="t")
    assert len(_posted()) == 3


def test_a_batchs_items_are_recorded_like_single_postings(funded, make_user, settings):
    settings.WALLET_TRANSACTION_EVENT_OWNERS = ["testapp.User"]
    payer, payee = funded("10.00"), services.account_for(make_user())
    fees = services.system_account("fees")
    before = len(_posted())
    outcomes = services.post_batch(items=[services.BatchItem(source=payer, destination=payee, amount=D("3.00")),
                                          services.BatchItem(source=fees, destination=services.system_account("x"),
                                                             amount=D("1.00"))],
                                   idempotency_key="b", idempotency_scope="t")
    (event,) = _posted()[before:]  # the second item moves no followed account
    assert event.data["transaction_id"] == str(outcomes[0].transaction.pk)
    assert sorted((e["account_id"], e["amount"]) for e in event.data["entries"]) == [
        (payer.pk, "-3.00"), (payee.pk, "3.00")]
