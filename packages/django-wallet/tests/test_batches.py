from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from django_wallet import selectors, services
from django_wallet.models import ChargeSale, IdempotencyFailure, Transaction
from forecourt_core.events.models import Event

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/api/wallet/batches/"


@pytest.fixture
def alice(make_user):
    user = make_user(username="alice")
    services.deposit(account=services.account_for(user), amount=D("100.00"))
    return user


def post(user, body, key="b1"):
    client = APIClient()
    client.force_authenticate(user)
    return client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def balance(user):
    return selectors.balance(services.account_for(user))


def test_url_name():
    assert reverse("wallet:batch-create") == URL


def test_each_item_posts_or_is_refused_alone(alice, make_user):
    bob = make_user()
    items = [{"type": "transfer", "to_user": bob.pk, "amount": "30.00", "memo": "rent"},
             {"type": "charge_sale", "phone": "+44 7911 123456", "amount": "10.00"},
             {"type": "transfer", "to_user": bob.pk, "amount": "70.00"},  # 60 left: short
             {"type": "transfer", "to_user": 10**9, "amount": "1.00"},
             {"type": "transfer", "to_user": alice.pk, "amount": "1.00"},
             {"type": "charge_sale", "phone": "12", "amount": "1.00"},
             {"type": "transfer", "to_user": bob.pk, "amount": "1.001"},
             {"type": "refund"}]
    r = post(alice, {"items": items})
    assert r.status_code == 200
    assert [(x["status"], x["code"]) for x in r.data["results"]] == [
        ("posted", None), ("posted", None), ("refused", "insufficient_funds"), ("refused", "recipient_not_found"),
        ("refused", "same_account"), ("refused", "invalid_phone"), ("refused", "invalid_amount"),
        ("refused", "invalid_item")]
    assert (r.data["posted"], r.data["refused"]) == (2, 6)
    assert balance(alice) == D("60.00") and balance(bob) == D("30.00")
    sale = ChargeSale.objects.get()
    assert (sale.phone, sale.amount, str(sale.pk)) == ("+447911123456", D("10.00"), r.data["results"][1]["charge_sale"])
    assert Event.objects.filter(kind="wallet.charge_sold").count() == 1
    assert Transaction.objects.get(pk=r.data["results"][0]["transaction"]).memo == "rent"
    assert services.verify_ledger().ok


def test_a_retried_batch_replays_every_item_and_moves_nothing_twice(alice, make_user):
    bob = make_user()
    body = {"items": [{"type": "transfer", "to_user": bob.pk, "amount": "30.00"},
                      {"type": "transfer", "to_user": bob.pk, "amount": "80.00"},
                      {"type": "charge_sale", "phone": "+447911123456", "amount": "5.00"}]}
    first = post(alice, body)
    services.deposit(account=services.account_for(alice), amount=D("500.00"))  # a refusal stays a refusal
    again = post(alice, body)
    assert [x["status"] for x in first.data["results"]] == ["posted", "refused", "posted"]
    assert [x["status"] for x in again.data["results"]] == ["replayed", "refused", "replayed"]
    assert [(x["transaction"], x["charge_sale"], x["code"]) for x in again.data["results"]] == [
        (x["transaction"], x["charge_sale"], x["code"]) for x in first.data["results"]]
    assert balance(bob) == D("30.00") and ChargeSale.objects.count() == 1
    assert IdempotencyFailure.objects.count() == 1


def test_the_same_key_with_another_item_is_a_conflict_for_that_item(alice, make_user):
    bob = make_user()
    post(alice, {"items": [{"type": "transfer", "to_user": bob.pk, "amount": "1.00"}]})
    r = post(alice, {"items": [{"type": "transfer", "to_user": bob.pk, "amount": "2.00"}]})
    assert r.data["results"][0]["code"] == "idempotency_conflict" and balance(bob) == D("1.00")


def test_all_or_nothing_posts_nothing_when_one_item_is_refused_and_replays_the_refusal(alice, make_user):
    bob = make_user()
    body = {"all_or_nothing": True, "items": [{"type": "transfer", "to_user": bob.pk, "amount": "60.00"},
                                              {"type": "transfer", "to_user": bob.pk, "amount": "60.00"}]}
    r = post(alice, body)
    assert r.status_code == 409 and r.json()["code"] == "insufficient_funds"
    assert r.json()["fields"] == {"items.1": ["insufficient_funds"]}
    assert balance(alice) == D("100.00") and balance(bob) == 0
    services.deposit(account=services.account_for(alice), amount=D("100.00"))
    again = post(alice, body)
    assert again.status_code == 409 and balance(bob) == 0
    assert [again.json()[k] for k in ("code", "message")] == [r.json()[k] for k in ("code", "message")]
    assert r.json()["message"].startswith("Item 1: ")
    ok = post(alice, body, key="b2")
    assert ok.status_code == 200 and [x["status"] for x in ok.data["results"]] == ["posted", "posted"]
    assert balance(bob) == D("120.00") and services.verify_ledger().ok


def test_a_conflicting_all_or_nothing_batch_does_not_block_the_keys_own_retry(alice, make_user):
    bob = make_user()
    b1 = {"all_or_nothing": True, "items": [{"type": "transfer", "to_user": bob.pk, "amount": "10.00"}]}
    b2 = {"all_or_nothing": True, "items": [{"type": "transfer", "to_user": bob.pk, "amount": "20.00"}]}
    first = post(alice, b1)
    conflict = post(alice, b2)
    retry = post(alice, b1)
    assert first.status_code == 200 and conflict.status_code == 409
    assert conflict.json()["code"] == "idempotency_conflict"
    assert retry.status_code == 200 and [x["status"] for x in retry.data["results"]] == ["replayed"]
    assert retry.data["results"][0]["transaction"] == first.data["results"][0]["transaction"]
    assert balance(bob) == D("10.00") and not IdempotencyFailure.objects.exists()


def test_the_key_of_an_all_or_nothing_refusal_is_a_conflict_for_a_per_item_batch(alice, make_user):
    bob = make_user()
    items = [{"type": "transfer", "to_user": bob.pk, "amount": "10.00"},
             {"type": "transfer", "to_user": bob.pk, "amount": "95.00"}]
    assert post(alice, {"all_or_nothing": True, "items": items}).json()["code"] == "insufficient_funds"
    r = post(alice, {"items": items})
    assert r.status_code == 409 and r.json()["code"] == "idempotency_conflict" and balance(bob) == 0


def test_all_or_nothing_refuses_bad_input_of_any_item(alice, make_user):
    r = post(alice, {"all_or_nothing": True, "items": [
        {"type": "transfer", "to_user": make_user().pk, "amount": "1.00"}, {"type": "transfer", "amount": "x"}]})
    assert r.status_code == 400 and r.json()["code"] == "invalid_amount"
    assert r.json()["fields"] == {"items.1": ["invalid_amount"]} and balance(alice) == D("100.00")


def test_limits_key_and_caller(alice, make_user):
    bob = make_user()
    item = {"type": "transfer", "to_user": bob.pk, "amount": "0.01"}
    assert post(alice, {"items": [item] * (services.BATCH_LIMIT + 1)}).status_code == 400
    assert post(alice, {"items": []}).status_code == 400
    client = APIClient()
    client.force_authenticate(alice)
    no_key = client.post(URL, {"items": [item]}, format="json")
    assert no_key.status_code == 400 and no_key.json()["code"] == "idempotency_key_required"
    assert APIClient().post(URL, {"items": [item]}, format="json").status_code in (401, 403)


def test_a_batch_is_a_fixed_number_of_statements(alice, make_user, django_assert_max_num_queries):
    """Whatever its size: the source account, the recipients, their accounts, the batch key's earlier
    outcome (two reads), the locks, the holds, the known keys, one write, and the savepoint around it
    (charge sales add one insert and an event row each)."""
    users = [make_user() for _ in range(20)]
    services.accounts_for(users)
    items = [{"type": "transfer", "to_user": u.pk, "amount": "0.50"} for u in users]
    with django_assert_max_num_queries(11):
        r = post(alice, {"items": items * 5})
    assert r.data["posted"] == 100 and balance(alice) == D("50.00") and services.verify_ledger().ok
