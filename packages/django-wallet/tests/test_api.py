import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from django_wallet import selectors, services
from django_wallet.models import ChargeSale, Transaction
from django_wallet.testing import with_idempotency_key

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def client_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return with_idempotency_key(client)  # the key requirement has tests of its own

    return make


@pytest.fixture
def alice(make_user):
    user = make_user(username="alice")
    services.deposit(account=services.account_for(user), amount=D("100.00"))
    return user


def code(response):
    return response.json()["code"]


def test_anonymous_refused():
    for name in ["account-list", "transfer-create", "credit-request-list", "charge-sale-list", "account-lookup"]:
        assert APIClient().get(reverse(f"wallet:{name}")).status_code in (401, 403)


def test_my_accounts_show_balance_held_available(alice, client_for):
    services.hold(account=services.account_for(alice), amount=D("30"))
    r = client_for(alice).get(reverse("wallet:account-list"))
    assert r.status_code == 200
    assert [(a["balance"], a["held"], a["available"]) for a in r.data] == [("100.00", "30.00", "70.00")]


def test_my_accounts_open_the_main_account_on_first_visit_then_read_once(make_user, client_for,
                                                                         django_assert_num_queries):
    carol = make_user(username="carol")
    client = client_for(carol)
    first = client.get(reverse("wallet:account-list"))
    assert [(a["purpose"], a["balance"]) for a in first.data] == [("main", "0.00")]
    with django_assert_num_queries(1):  # the accounts with their held sums; nothing else
        assert client.get(reverse("wallet:account-list")).data == first.data


def test_transfer_with_idempotency_key(alice, make_user, client_for):
    bob = make_user(username="bob")
    client = client_for(alice)
    url = reverse("wallet:transfer-create")
    body = {"to_user": bob.pk, "amount": "12.50", "memo": "lunch"}
    r1 = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    r2 = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert r1.status_code == r2.status_code == 201 and r1.data == r2.data
    assert selectors.balance(services.account_for(bob)) == D("12.50")
    r3 = client.post(url, {**body, "amount": "13.00"}, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert r3.status_code == 409 and code(r3) == "idempotency_conflict"
    # Keys are per caller: bob may use "abc" for his own request.
    r4 = client_for(bob).post(url, {"to_user": alice.pk, "amount": "1.00"}, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert r4.status_code == 201


def test_failed_keyed_transfer_replays_its_refusal(alice, make_user, client_for):
    bob = make_user(username="bob")
    client, url = client_for(alice), reverse("wallet:transfer-create")
    body = {"to_user": bob.pk, "amount": "150.00"}
    r1 = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="big")
    services.deposit(account=services.account_for(alice), amount=D("100"))
    r2 = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="big")
    assert r1.status_code == r2.status_code == 409
    assert code(r1) == code(r2) == "insufficient_funds"
    assert selectors.balance(services.account_for(bob)) == 0


@pytest.mark.parametrize(
    "amount, expected",
    [
        ("0", "invalid_amount"),
        ("-1", "invalid_amount"),
        ("1.005", "invalid_amount"),
        ("NaN", "invalid_amount"),
        ("Infinity", "invalid_amount"),
        ("abc", "invalid_amount"),
        ("1e16", "invalid_amount"),
        ("100.01", "insufficient_funds"),
    ],
)
def test_transfer_bad_amounts_are_4xx_with_code(alice, make_user, client_for, amount, expected):
    bob = make_user()
    r = client_for(alice).post(reverse("wallet:transfer-create"), {"to_user": bob.pk, "amount": amount}, format="json")
    assert 400 <= r.status_code < 500 and code(r) == expected
    assert selectors.balance(services.account_for(alice)) == D("100.00")


def test_transfer_past_the_recipients_storable_limit_is_400_invalid_amount(alice, make_user, client_for):
    """wallet_post's balance_limit refusal is an InvalidAmount over the API, and a keyed retry replays it."""
    bob = make_user()
    mint = services.open_account(name="mint", allow_overdraft=True)  # topups already paid alice
    services.deposit(account=services.account_for(bob), amount=D(10) ** 16 - 1, source=mint)
    client, url = client_for(alice), reverse("wallet:transfer-create")
    body = {"to_user": bob.pk, "amount": "5.00"}
    r1 = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="past-limit")
    r2 = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="past-limit")
    assert r1.status_code == r2.status_code == 400 and code(r1) == code(r2) == "invalid_amount"
    assert selectors.balance(services.account_for(alice)) == D("100.00")


def test_transfer_validation_errors(alice, client_for):
    client = client_for(alice)
    url = reverse("wallet:transfer-create")
    assert client.post(url, {"amount": "1"}, format="json").status_code == 400
    r = client.post(url, {"to_user": 999999, "amount": "1"}, format="json")
    assert r.status_code == 400 and code(r) == "recipient_not_found"
    r = client.post(url, {"to_user": alice.pk, "amount": "1"}, format="json")
    assert r.status_code == 400 and code(r) == "same_account"


def test_statement_pagination_filter_and_query_bound(alice, make_user, client_for, django_assert_max_num_queries):
    bob = make_user()
    a, b = services.account_for(alice), services.account_for(bob)
    for i in range(1, 31):
        services.transfer(source=a, destination=b, amount=D(i) / 10)
    client = client_for(alice)
    url = reverse("wallet:statement", args=[a.pk])
    with django_assert_max_num_queries(6):
        r = client.get(url, {"page_size": 10})
    assert r.status_code == 200 and r.data["count"] == 31 and len(r.data["results"]) == 10
    first = r.data["results"][0]
    assert first["amount"] == "-3.00" and first["kind"] == "transfer" and first["balance_after"] == "53.50"
    with django_assert_max_num_queries(6):
        r = client.get(url, {"page_size": 100})
    assert len(r.data["results"]) == 31
    page3 = client.get(url, {"page_size": 10, "page": 4})
    assert len(page3.data["results"]) == 1 and page3.data["results"][0]["kind"] == "deposit"
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert client.get(url, {"date_from": tomorrow}).data["count"] == 0
    assert client.get(url, {"date_to": timezone.localdate().isoformat()}).data["count"] == 31
    assert client.get(url, {"date_from": "not-a-date"}).status_code == 400


def test_statement_of_someone_else_is_404(alice, make_user, client_for):
    a = services.account_for(alice)
    assert client_for(make_user()).get(reverse("wallet:statement", args=[a.pk])).status_code == 404
    assert client_for(make_user(is_staff=True)).get(reverse("wallet:statement", args=[a.pk])).status_code == 200


def test_statement_csv(alice, make_user, client_for, django_assert_max_num_queries):
    bob = make_user()
    a = services.account_for(alice)
    services.transfer(source=a, destination=services.account_for(bob), amount=D("2.50"), memo='with "quotes", comma')
    with django_assert_max_num_queries(6):
        r = client_for(alice).get(reverse("wallet:statement-csv", args=[a.pk]))
        body = b"".join(r.streaming_content).decode()
    assert r.status_code == 200 and r["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["entry", "transaction", "created_at", "kind", "memo", "amount", "balance_after"]
    assert [(row[3], row[4], row[5], row[6]) for row in rows[1:]] == [
        ("transfer", 'with "quotes", comma', "-2.50", "97.50"),
        ("deposit", "", "100.00", "100.00"),
    ]


def test_credit_request_flow(make_user, client_for):
    seller, staff, nobody = make_user(), make_user(is_staff=True), make_user()
    client = client_for(seller)
    r = client.post(reverse("wallet:credit-request-list"), {"amount": "500.00", "note": "stock"}, format="json")
    assert r.status_code == 201 and r.data["status"] == "pending"
    pk = r.data["id"]
    assert client.post(reverse("wallet:credit-request-list"), {"amount": "5.001"}, format="json").status_code == 400
    assert [x["id"] for x in client.get(reverse("wallet:credit-request-list")).data["results"]] == [pk]
    # Sellers and ordinary users cannot decide or list everyone's.
    assert client.post(reverse("wallet:credit-request-approve", args=[pk])).status_code == 403
    assert client_for(nobody).get(reverse("wallet:credit-request-staff-list")).status_code == 403
    staff_client = client_for(staff)
    listed = staff_client.get(reverse("wallet:credit-request-staff-list"), {"status": "pending"})
    assert [x["id"] for x in listed.data["results"]] == [pk]
    r = staff_client.post(reverse("wallet:credit-request-approve", args=[pk]), HTTP_IDEMPOTENCY_KEY="approve-1")
    assert r.status_code == 200 and r.data["status"] == "approved" and r.data["transaction"]
    # The approver's retry with its key gets the first answer; another key is a second decision, refused.
    retry = staff_client.post(reverse("wallet:credit-request-approve", args=[pk]), HTTP_IDEMPOTENCY_KEY="approve-1")
    assert retry.status_code == 200 and retry.data == r.data
    other = staff_client.post(reverse("wallet:credit-request-approve", args=[pk]), HTTP_IDEMPOTENCY_KEY="approve-2")
    assert other.status_code == 409 and code(other) == "credit_request_decided"
    again = staff_client.post(reverse("wallet:credit-request-reject", args=[pk]))
    assert again.status_code == 409 and code(again) == "credit_request_decided"
    assert selectors.balance(services.account_for(seller)) == D("500.00")
    assert staff_client.post(reverse("wallet:credit-request-approve", args=[999999]),
                             HTTP_IDEMPOTENCY_KEY="approve-3").status_code == 404


def test_decide_permission_without_staff_flag(make_user, client_for):
    seller, clerk = make_user(), make_user()
    clerk.user_permissions.add(Permission.objects.get(codename="decide_creditrequest"))
    request = services.credit_request_create(account=services.account_for(seller), amount=D("10"))
    r = client_for(clerk).post(reverse("wallet:credit-request-reject", args=[request.pk]))
    assert r.status_code == 200 and r.data["status"] == "rejected"
    assert selectors.balance(services.account_for(seller)) == 0
    assert not Transaction.objects.filter(kind="credit").exists()


def test_charge_sales(alice, client_for, django_assert_max_num_queries):
    client = client_for(alice)
    url = reverse("wallet:charge-sale-list")
    r = client.post(url, {"phone": "+44 7911 123456", "amount": "10.00"}, format="json", HTTP_IDEMPOTENCY_KEY="s1")
    assert r.status_code == 201 and r.data["phone"] == "+447911123456"
    replay = client.post(url, {"phone": "+44 7911 123456", "amount": "10.00"}, format="json", HTTP_IDEMPOTENCY_KEY="s1")
    assert replay.data == r.data and ChargeSale.objects.count() == 1
    bad = client.post(url, {"phone": "12", "amount": "1.00"}, format="json")
    assert bad.status_code == 400 and code(bad) == "invalid_phone"
    short = client.post(url, {"phone": "+447911123456", "amount": "90.01"}, format="json")
    assert short.status_code == 409 and code(short) == "insufficient_funds"
    for _ in range(5):
        client.post(url, {"phone": "+12025550123", "amount": "1.00"}, format="json")
    with django_assert_max_num_queries(6):
        listed = client.get(url)
    assert listed.data["count"] == 6
    assert selectors.balance(services.account_for(alice)) == D("85.00")


def test_staff_account_lookup(alice, make_user, client_for, django_assert_max_num_queries):
    services.system_account("platform")
    assert client_for(alice).get(reverse("wallet:account-lookup")).status_code == 403
    staff = client_for(make_user(is_staff=True))
    with django_assert_max_num_queries(6):
        r = staff.get(reverse("wallet:account-lookup"), {"owner_type": "testapp.user", "owner_id": str(alice.pk)})
    assert [(x["owner_type"], x["owner_id"], x["balance"]) for x in r.data["results"]] == [
        ("testapp.user", str(alice.pk), "100.00")
    ]
    r = staff.get(reverse("wallet:account-lookup"), {"q": "platf"})
    assert [x["name"] for x in r.data["results"]] == ["platform"]
