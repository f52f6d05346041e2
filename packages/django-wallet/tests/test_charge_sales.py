"""A charge sale is one statement (the wallet_charge_sale SQL function): the rows, the events and the
idempotency records it writes are those the ledger's Python writers would write."""
import json
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext

from django_wallet import selectors, services
from django_wallet.errors import AccountFrozen, IdempotencyConflict, InsufficientFunds, SameAccount
from django_wallet.events import charge_sold_data
from django_wallet.models import Account, ChargeSale, IdempotencyFailure, Transaction
from django_wallet.services import idempotency
from forecourt_core import context
from forecourt_core.events.models import Event

pytestmark = pytest.mark.django_db
D = Decimal


def _stored(data: dict) -> dict:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _sell(seller, amount="2.00", **kwargs):
    return services.charge_sale_create(seller=seller, phone="+44 7911 123456", amount=D(amount), sold_by=seller,
                                       **kwargs)


@pytest.fixture
def seller(make_user):
    user = make_user()
    services.deposit(account=services.account_for(user), amount=D("10.00"))
    services.system_account("charge_sales")
    return user


def test_the_sale_its_event_and_its_transaction_are_written_as_python_would(seller):
    token = context.request_id.set("req-1")
    try:
        with CaptureQueriesContext(connection) as ctx:
            sale = _sell(seller, idempotency_key="k", idempotency_scope="s")
    finally:
        context.request_id.reset(token)
    assert len(ctx.captured_queries) == 1
    own, sales = services.account_for(seller), services.system_account("charge_sales")
    stored = ChargeSale.objects.get()
    assert (stored.pk, stored.account_id, stored.sold_by_id, stored.phone, stored.amount, stored.transaction_id) == (
        sale.pk, own.pk, seller.pk, "+447911123456", D("2.00"), sale.transaction_id)
    assert sale.account == own and sale.transaction.pk == stored.transaction_id and not sale._state.adding
    txn = Transaction.objects.get(pk=sale.transaction_id)
    assert (txn.kind, txn.memo, txn.metadata) == ("charge_sale", "Charge to +447911123456", {"phone": "+447911123456"})
    assert txn.fingerprint == sale.transaction.fingerprint == idempotency.fingerprint(
        "charge_sale", [(own.pk, D("-2.00")), (sales.pk, D("2.00"))], "charge_sale", txn.memo, txn.metadata)
    event = Event.objects.get(kind="wallet.charge_sold")
    assert event.data == _stored(charge_sold_data(stored))
    assert (event.status, event.key, event.request_id, event.attempts) == ("pending", "", "req-1", 0)
    assert selectors.balance(own) == D("8.00") and selectors.balance(sales) == D("2.00")


def test_a_key_replays_the_sale_and_refuses_another_body(seller):
    sale = _sell(seller, idempotency_key="k", idempotency_scope="s")
    with CaptureQueriesContext(connection) as ctx:
        again = _sell(seller, idempotency_key="k", idempotency_scope="s")
    assert len(ctx.captured_queries) == 1
    assert (again.pk, again.account_id, again.sold_by_id, again.phone, again.amount, again.transaction_id,
            again.created_at) == (sale.pk, sale.account_id, sale.sold_by_id, sale.phone, sale.amount,
                                  sale.transaction_id, ChargeSale.objects.get().created_at)
    with pytest.raises(IdempotencyConflict):
        _sell(seller, amount="3.00", idempotency_key="k", idempotency_scope="s")
    assert ChargeSale.objects.count() == 1 and Event.objects.filter(kind="wallet.charge_sold").count() == 1


def test_a_keyed_refusal_is_recorded_under_the_sales_fingerprint_and_replayed(seller):
    with pytest.raises(InsufficientFunds):
        _sell(seller, amount="50.00", idempotency_key="k", idempotency_scope="s")
    failure = IdempotencyFailure.objects.get()
    own, sales = services.account_for(seller), services.system_account("charge_sales")
    assert failure.fingerprint == idempotency.fingerprint(
        "charge_sale", [(own.pk, D("-50.00")), (sales.pk, D("50.00"))], "charge_sale", "Charge to +447911123456",
        {"phone": "+447911123456"})
    services.deposit(account=own, amount=D("100.00"))
    with pytest.raises(InsufficientFunds):  # the key's outcome, not a new attempt
        _sell(seller, amount="50.00", idempotency_key="k", idempotency_scope="s")
    with pytest.raises(IdempotencyConflict):
        _sell(seller, amount="1.00", idempotency_key="k", idempotency_scope="s")
    assert not ChargeSale.objects.exists() and not Event.objects.filter(kind="wallet.charge_sold").exists()


def test_an_accounts_sale_and_the_refusals_that_write_nothing(seller):
    own = services.account_for(seller)
    sale = services.charge_sale_create(account=own, phone="+447911123456", amount=D("1.00"))
    assert sale.account_id == own.pk and sale.sold_by_id is None
    assert Event.objects.get(kind="wallet.charge_sold").data["sold_by_id"] is None
    with pytest.raises(SameAccount):
        services.charge_sale_create(account=services.system_account("charge_sales"), phone="+447911123456",
                                    amount=D("1.00"))
    services.account_set_status(account=own, status=Account.Status.FROZEN)
    with pytest.raises(AccountFrozen):
        _sell(seller, amount="1.00")
    assert ChargeSale.objects.count() == 1


def test_a_followed_sellers_posting_event_is_written_as_for_any_posting(seller, settings):
    settings.WALLET_TRANSACTION_EVENT_OWNERS = ["testapp.User"]
    sale = _sell(seller)
    own = services.account_for(seller)
    (event,) = Event.objects.filter(kind="wallet.transaction_posted")
    txn = Transaction.objects.get(pk=sale.transaction_id)
    assert event.data == _stored({"transaction_id": txn.pk, "kind": "charge_sale", "memo": txn.memo,
                                  "created_at": txn.created_at, "entries": [
                                      {"account_id": own.pk, "owner": "testapp.User", "owner_id": str(seller.pk),
                                       "amount": D("-2.00")}]})
    services.charge_sale_create(account=services.system_account("fees"), phone="+447911123456", amount=D("1.00"))
    assert Event.objects.filter(kind="wallet.transaction_posted").count() == 1  # no followed account moved


@pytest.mark.parametrize("followed, handled, kicks", [
    ([], [], 0),  # nobody handles a sale's events: the periodic relay marks them delivered
    ([], ["wallet.charge_sold"], 1),
    (["testapp.User"], [], 0),  # the posting's event is written, but nobody handles it either
    (["testapp.User"], ["wallet.transaction_posted"], 1),
    (["auth.Group"], ["wallet.transaction_posted"], 0),  # a user's sale moves no followed account
])
def test_a_sale_kicks_the_relay_when_a_handler_takes_an_event_it_wrote(
        seller, settings, monkeypatch, django_capture_on_commit_callbacks, followed, handled, kicks):
    from forecourt_core.events import registry
    from forecourt_core.events import services as events

    settings.FORECOURT_EVENTS_KICK, settings.WALLET_TRANSACTION_EVENT_OWNERS = True, followed
    sent = []
    monkeypatch.setattr(events, "events_kick", lambda: sent.append(1))
    for kind in handled:
        registry.register(kind, lambda event: None, name="test")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _sell(seller)
    finally:
        for kind in handled:
            registry.unregister(kind, name="test")
    assert len(sent) == kicks
    assert Event.objects.filter(kind="wallet.transaction_posted").count() == (followed == ["testapp.User"])


def test_a_sale_over_the_api_is_one_statement(seller, django_assert_num_queries):
    from django.urls import reverse
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(seller)
    with django_assert_num_queries(1):
        r = client.post(reverse("wallet:charge-sale-list"), {"phone": "+44 7911 123456", "amount": "1.00"},
                        format="json", HTTP_IDEMPOTENCY_KEY="api-1")
    assert r.status_code == 201 and r.data["id"] == str(ChargeSale.objects.get().pk)


def test_the_sales_response_is_its_serializers_output(seller):
    from django_wallet.api.views import ChargeSaleOutput
    from forecourt_core.drf import represent

    sale = _sell(seller)
    stored = ChargeSale.objects.get()
    assert represent(ChargeSaleOutput, sale) == ChargeSaleOutput(sale).data == ChargeSaleOutput(stored).data


@pytest.mark.parametrize("body", [
    {"phone": "+44 7911 123456", "amount": "1.00"}, {"phone": " 07911 123456 ", "amount": "12.5"}, {},
    {"phone": "", "amount": "0"}, {"phone": None, "amount": None}, {"phone": "x" * 33, "amount": "1.001"},
    {"phone": 7911123456, "amount": 5}, {"phone": ["+447911123456"], "amount": {"a": 1}}, {"amount": "-1"},
    {"phone": "+44 7911 123456", "amount": "abc"}, {"phone": "a\x00b", "amount": "1e3"}, [],
])
def test_the_sales_input_validates_as_a_serializer_of_its_own(body):
    """The view validates with the input's fields bound once per process: the same data, the same errors."""
    from rest_framework.exceptions import ValidationError

    from django_wallet.api.views import ChargeSaleListCreateApi
    from forecourt_core.drf import validated

    def validate(shared: bool):
        if shared:
            try:
                return True, dict(validated(ChargeSaleListCreateApi.InputSerializer, body))
            except ValidationError as exc:
                return False, exc.detail
        serializer = ChargeSaleListCreateApi.InputSerializer(data=body)
        valid = serializer.is_valid()
        return valid, dict(serializer.validated_data) if valid else serializer.errors

    for _ in range(2):  # after a refusal too: the shared fields keep nothing from one validation to the next
        assert validate(shared=True) == validate(shared=False)
