"""A charge sale over the API (JWT, the site's middleware): the tenant, the user's row, and one statement
for the sale itself, however the seller's accounts stand."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework_simplejwt.tokens import AccessToken

pytestmark = pytest.mark.django_db
URL = "/api/wallet/charge-sales/"


def _client(user) -> Client:
    return Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")


def _sell(client, key, amount="1.00"):
    return client.post(URL, {"phone": "+44 7911 123456", "amount": amount}, content_type="application/json",
                       HTTP_IDEMPOTENCY_KEY=key)


def test_a_charge_sale_is_three_statements_and_replays(funded_buyer):
    from django_wallet.models import ChargeSale

    client = _client(funded_buyer)
    assert _sell(client, "first").status_code == 201  # opens the charge-sales account
    with CaptureQueriesContext(connection) as ctx:
        sold = _sell(client, "second")
    assert sold.status_code == 201, sold.content
    statements = [q["sql"][:60] for q in ctx.captured_queries]
    assert len(statements) == 3, "\n".join(statements)  # the tenant, the user, the sale
    assert "wallet_charge_sale(" in ctx.captured_queries[-1]["sql"]
    assert _sell(client, "second").json() == sold.json()
    conflict = _sell(client, "second", amount="2.00")
    assert conflict.status_code == 409 and conflict.json()["code"] == "idempotency_conflict"
    short = _sell(client, "third", amount="999999.00")
    assert short.status_code == 409 and short.json()["code"] == "insufficient_funds"
    assert ChargeSale.objects.filter(sold_by=funded_buyer).count() == 2


def test_a_deactivated_seller_is_refused_at_once(funded_buyer):
    client = _client(funded_buyer)
    funded_buyer.is_active = False
    funded_buyer.save(update_fields=["is_active"])
    assert _sell(client, "k").status_code == 401


def test_a_dealerships_sale_reaches_its_books_as_any_posting(dealer1):
    from django_wallet import services as wallet
    from forecourt_core.events.models import Event

    account = wallet.account_for(dealer1)
    wallet.deposit(account=account, amount=Decimal("10.00"))
    sale = wallet.charge_sale_create(account=account, phone="+447911123456", amount=Decimal("4.00"))
    event = Event.objects.get(kind="wallet.transaction_posted", data__transaction_id=str(sale.transaction_id))
    assert event.data["entries"] == [{"account_id": account.pk, "owner": "tenancy.Dealership",
                                      "owner_id": str(dealer1.pk), "amount": "-4.00"}]


def _prepared_sales(cursor) -> list:
    cursor.execute("SELECT generic_plans + custom_plans FROM pg_prepared_statements"
                   " WHERE statement LIKE '%%wallet_charge_sale(%%'")
    return [n for (n,) in cursor.fetchall()]


def test_the_prepared_sale_follows_each_schemas_search_path(funded_buyer, dealer1, dealer2):
    """The site's connections prepare the sale once; PostgreSQL resolves it again when django-tenants switches
    schemas: a wallet_charge_sale of dealer2's own is the one dealer2's search_path finds, and dealer1's
    (which has none) finds the shared one, all through the one prepared statement."""
    from django_tenants.utils import schema_context

    from django_wallet import services as wallet
    from django_wallet.errors import SameAccount
    from django_wallet.models import ChargeSale

    def sell(key):
        return wallet.charge_sale_create(seller=funded_buyer, phone="+447911123456", amount=Decimal("1.00"),
                                         idempotency_key=key, idempotency_scope="schemas")

    with schema_context(dealer1.schema_name):
        first = sell("a")
    with connection.cursor() as cursor:
        assert _prepared_sales(cursor) == [2]  # the first sale also opened the charge-sales account
        cursor.execute("SELECT pg_get_function_arguments(p.oid), pg_get_function_result(p.oid) FROM pg_proc p"
                       " WHERE p.proname = 'wallet_charge_sale' AND p.pronamespace = 'public'::regnamespace")
        arguments, result = cursor.fetchone()
        cursor.execute(f"CREATE FUNCTION {dealer2.schema_name}.wallet_charge_sale({arguments}) RETURNS {result}"
                       " LANGUAGE plpgsql AS $$ BEGIN outcome := 'same_account'; RETURN NEXT; END $$")
    with schema_context(dealer2.schema_name), pytest.raises(SameAccount):
        sell("b")
    with schema_context(dealer1.schema_name):
        second = sell("c")
        assert sell("a") == first  # replayed
    with connection.cursor() as cursor:
        assert _prepared_sales(cursor) == [5]  # one statement, prepared once
    assert set(ChargeSale.objects.values_list("pk", flat=True)) == {first.pk, second.pk}


def test_without_prepared_statements_the_sale_is_bound_by_the_client(funded_buyer, settings):
    """DB_PREPARED_STATEMENTS=0 (Django's default of no prepared statements): the same sale, nothing prepared."""
    from django_wallet import services as wallet

    connection.ensure_connection()
    threshold, connection.connection.prepare_threshold = connection.connection.prepare_threshold, None
    try:
        sale = wallet.charge_sale_create(seller=funded_buyer, phone="+447911123456", amount=Decimal("1.00"),
                                         idempotency_key="k", idempotency_scope="client")
        assert wallet.charge_sale_create(seller=funded_buyer, phone="+447911123456", amount=Decimal("1.00"),
                                         idempotency_key="k", idempotency_scope="client") == sale
        with connection.cursor() as cursor:
            assert _prepared_sales(cursor) == []
    finally:
        connection.connection.prepare_threshold = threshold
