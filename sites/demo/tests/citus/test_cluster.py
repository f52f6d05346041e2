"""The site on a Citus cluster (`python3 dev.py test --citus`): where each table lives, and triggers on workers.

Skipped on a single PostgreSQL. docs/scaling.md says what changed for Citus and why.
"""
import datetime as dt
import os
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django_tenants.utils import schema_context

pytestmark = pytest.mark.skipif(not os.environ.get("CITUS_WORKERS"),
                                reason="needs a Citus cluster (dev.py test --citus)")
DAY = dt.date(2026, 11, 10)


def _one(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _assert_distributed_on_a_worker(schema: str) -> None:
    """The schema is a distributed schema whose every table has its one shard on the same worker."""
    workers = {int(port) for port in (w.rsplit(":", 1)[1] for w in os.environ["CITUS_WORKERS"].split(","))}
    assert _one("SELECT count(*) FROM citus_schemas WHERE schema_name::text = %s", [schema])[0] == 1
    nodes, shards = _one("SELECT array_agg(DISTINCT nodeport), count(*) FROM citus_shards"
                         " WHERE citus_table_type = 'schema' AND table_name::text LIKE %s", [f"{schema}.%"])
    tables = _one("SELECT count(*) FROM pg_tables WHERE schemaname = %s", [schema])[0]
    assert len(nodes) == 1 and nodes[0] in workers
    assert shards == tables > 20  # every table of the schema, not a part of them


@pytest.mark.django_db
def test_each_dealership_is_a_distributed_schema_placed_on_a_worker(dealer1, dealer2):
    for dealership in (dealer1, dealer2):
        _assert_distributed_on_a_worker(dealership.schema_name)


@pytest.mark.django_db
def test_a_dealership_replayed_from_the_recipe_is_distributed_too():
    from tenancy import schemas
    from tenancy.services import dealership_create

    dealership_create(name="Warm Up", slug="warm-up")  # the current recipe exists after a first dealership
    replayed = dealership_create(name="Replayed Co", slug="replayed-co")
    assert replayed.schema_build_method == schemas.REPLAYED
    _assert_distributed_on_a_worker(replayed.schema_name)


@pytest.mark.django_db
def test_the_user_table_is_a_reference_table_and_the_wallet_stays_on_the_coordinator():
    kind = _one("SELECT citus_table_type FROM citus_tables WHERE table_name = 'accounts_user'::regclass")[0]
    assert kind == "reference"
    # Citus local tables: on the coordinator only (tied to the user table by foreign keys).
    for table in ("wallet_account", "wallet_entry", "wallet_transaction", "tenancy_membership"):
        assert _one("SELECT partmethod, repmodel FROM pg_dist_partition WHERE logicalrelid = %s::regclass",
                    [table]) == ("n", "s")
        assert _one("SELECT DISTINCT nodeport FROM pg_dist_placement JOIN pg_dist_node USING (groupid)"
                    " JOIN pg_dist_shard USING (shardid) WHERE logicalrelid = %s::regclass", [table])[0] == int(
            connection.settings_dict["PORT"])
    # Becoming a Citus local table keeps an entry's id numbered by the database alone (GENERATED ALWAYS).
    assert _one("SELECT attidentity FROM pg_attribute WHERE attrelid = 'wallet_entry'::regclass"
                " AND attname = 'id'")[0] == "a"


def test_a_dealership_schemas_triggers_run_on_its_worker(committed_db):
    from django_books import services
    from django_books.models import JournalEntry

    with schema_context("dealer1"):
        entry, _ = services.entry_post(date=DAY, memo="sale", lines=[
            services.debit("cash", Decimal("100.00")), services.credit("other_income", Decimal("100.00"))])
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():  # refuse_changes
            JournalEntry.objects.filter(pk=entry.pk).update(memo="edited")
        # Deferred, at commit: a worker refusing its part of the commit reaches the client as Citus's
        # "could not commit transaction" (docs/scaling.md); nothing of the transaction is kept.
        with (pytest.raises(DatabaseError, match="could not commit|has no lines"), transaction.atomic(),
              connection.cursor() as cursor):
            cursor.execute("INSERT INTO books_journalentry (date, memo, created_at) VALUES (%s, '', now())", [DAY])
        assert list(JournalEntry.objects.values_list("memo", flat=True)) == ["sale"]


@pytest.mark.django_db
def test_charge_sales_run_on_the_coordinator_past_postgresqls_first_custom_plans(funded_buyer):
    """wallet_charge_sale keeps PostgreSQL's choice of plans: after five calls a session may try generic ones."""
    from django_wallet import services as wallet
    from django_wallet.models import ChargeSale
    from forecourt_core.events.models import Event

    sales = [wallet.charge_sale_create(seller=funded_buyer, phone="+447911123456", amount=Decimal("1.00"),
                                       idempotency_key=f"c{n}", idempotency_scope="citus") for n in range(8)]
    again = wallet.charge_sale_create(seller=funded_buyer, phone="+447911123456", amount=Decimal("1.00"),
                                      idempotency_key="c0", idempotency_scope="citus")
    assert again.pk == sales[0].pk and ChargeSale.objects.filter(account__owner_id=str(funded_buyer.pk)).count() == 8
    assert Event.objects.filter(kind="wallet.charge_sold").count() == 8
