"""How statement, report and deep-page search latency grow from 1k to 1M rows (issue #12, "Growth").

    .venv/bin/python bench/growth.py [--sizes 1000,100000,1000000] [--runs 15] [--reuse]

In the scratch database of bench/car_listing_search.py (``car_listing_bench``), for each size N:

* wallet statement: one account with N entries (each a balanced two-entry transfer from a system
  account; all sizes share the one ``wallet_entry`` table, as accounts do in production). Timed through
  the statement API view (``StatementApi``: pagination, serialisation, permission check), first page and
  the page at depth N/2, in page-number mode and in cursor mode.
* payroll/accounting reports: N income/expense entries over the last three years in schema ``g<N>``,
  booked in date order (as books are); ``profit_and_loss`` for the last 30 days (sums entries), the last
  12 whole months and all time (read the trigger-kept monthly totals; the dealer dashboard and the
  accounting page show the all-time P&L), ``expenses_by_category`` for 30 days.
* marketplace search (the ``s<N>`` tables of car_listing_search.py): the page at depth N/2, by OFFSET and
  by the keyset cursor.

Rows are bulk-inserted with SQL (progress bar), indexes built after the load, then VACUUM ANALYZE. The
ledger's deferred sum-to-zero trigger is skipped while seeding (``session_replication_role = replica``,
scratch database only): the seeded transfers balance by construction. Rounds are interleaved over the sizes
so load from other processes hits every size alike. Prints a markdown table and writes
bench/results/growth.md with the machine and date. Not a test.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _results  # noqa: E402
import car_listing_search as search  # noqa: E402  (the bench's database, seeding and machine line)

CHUNK = 100_000
PAGE = 50


def progress(label: str, done: int, total: int, started: float) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    rate = done / max(time.monotonic() - started, 1e-9)
    sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows {rate:,.0f}/s")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


# -- wallet ------------------------------------------------------------------------------------------------

def wallet_account(size: int):
    """The statement owner of this size, with ``size`` entries (seeded once)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from django_wallet import services
    from django_wallet.models import Entry

    user, _ = get_user_model().objects.get_or_create(username=f"growth{size}")
    account = services.account_for(user)
    have = Entry.objects.filter(account=account).count()
    if have == size:
        return user, account
    assert have == 0, f"account of size {size} holds {have} entries; drop the database (no --reuse)"
    source = services.system_account(f"growth{size}")
    started = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # skip the deferred trigger (see docstring)
        for lo in range(1, size + 1, CHUNK):
            hi = min(lo + CHUNK - 1, size)
            cur.execute("""
                WITH t AS (
                    INSERT INTO wallet_transaction (id, kind, memo, metadata, idempotency_scope, fingerprint,
                                                    created_at)
                    SELECT gen_random_uuid(), 'transfer', 'growth ' || g, '{}', '', '',
                           now() - make_interval(secs => (%(size)s - g) * 60)
                    FROM generate_series(%(lo)s::int, %(hi)s::int) g
                    RETURNING id, created_at, substr(memo, 8)::int AS g)
                INSERT INTO wallet_entry (transaction_id, account_id, amount, balance_after, created_at)
                SELECT t.id, v.account, v.amount, v.amount * t.g, t.created_at
                FROM t CROSS JOIN LATERAL (VALUES (%(account)s, 1.00), (%(source)s, -1.00)) v(account, amount)
                """, {"size": size, "lo": lo, "hi": hi, "account": account.pk, "source": source.pk})
            progress(f"wallet {size:,}", hi, size, started)
        cur.execute("SET session_replication_role = DEFAULT")
        cur.execute("UPDATE wallet_account SET balance = %s WHERE id = %s", [size, account.pk])
        cur.execute("UPDATE wallet_account SET balance = %s WHERE id = %s", [-size, source.pk])
        cur.execute("VACUUM ANALYZE wallet_entry")
        cur.execute("VACUUM ANALYZE wallet_transaction")
    return user, account


def statement_get(user, account, params: dict) -> dict:
    from rest_framework.test import APIRequestFactory, force_authenticate

    from django_wallet.api.views import StatementApi

    request = APIRequestFactory().get(f"/accounts/{account.pk}/statement/", params)
    force_authenticate(request, user=user)
    response = StatementApi.as_view()(request, pk=account.pk)
    assert response.status_code == 200, response.data
    return response.data


def statement_cases(size: int) -> dict:
    """label -> zero-argument callable doing one request."""
    import base64
    from urllib.parse import urlencode

    from django_wallet.models import Entry

    user, account = wallet_account(size)
    depth = size // 2
    before = Entry.objects.filter(account=account).order_by("-created_at", "-id").values_list(
        "created_at", flat=True)[depth - 1]
    # DRF's cursor for "after this position" (what a `next` link `depth` rows down would carry).
    deep_cursor = base64.b64encode(urlencode({"p": str(before)}).encode()).decode()
    return {
        "statement p1 (page)": lambda: statement_get(user, account, {"page_size": PAGE}),
        "statement N/2 (page)": lambda: statement_get(user, account, {"page_size": PAGE, "page": depth // PAGE}),
        "statement p1 (cursor)": lambda: statement_get(user, account, {"page_size": PAGE, "cursor": ""}),
        "statement N/2 (cursor)": lambda: statement_get(user, account, {"page_size": PAGE, "cursor": deep_cursor}),
    }


# -- payroll reports ---------------------------------------------------------------------------------------

def payroll_schema(size: int) -> str:
    """Schema g<size> with payroll categories and ``size`` entries over the last 3 years."""
    from django.db import connection

    schema = f"g{size}"
    with connection.cursor() as cur:
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tablename = 'payroll_entry'", [schema])
        if cur.fetchone()[0]:
            cur.execute(f"SELECT count(*) FROM {schema}.payroll_entry")
            if cur.fetchone()[0] == size:
                search.sync_indexes(schema, "payroll_entry")
                _monthly_totals(schema)
                return schema
            cur.execute(f"DROP TABLE {schema}.payroll_entry, {schema}.payroll_category")
            cur.execute(f"DROP TABLE IF EXISTS {schema}.payroll_monthlytotal")
        cur.execute(f"CREATE TABLE {schema}.payroll_category (LIKE public.payroll_category INCLUDING ALL)")
        cur.execute(f"CREATE TABLE {schema}.payroll_entry "
                    "(LIKE public.payroll_entry INCLUDING DEFAULTS INCLUDING IDENTITY)")
        cur.execute(f"""INSERT INTO {schema}.payroll_category (id, code, name, kind) VALUES
            (1, 'car-sales', 'Car sales', 'income'), (2, 'services', 'Services', 'income'),
            (3, 'rent', 'Rent', 'expense'), (4, 'utilities', 'Utilities', 'expense'),
            (5, 'marketing', 'Marketing', 'expense'), (6, 'salaries', 'Salaries', 'expense')""")
        started = time.monotonic()
        for lo in range(1, size + 1, CHUNK):
            hi = min(lo + CHUNK - 1, size)
            cur.execute(f"""
                INSERT INTO {schema}.payroll_entry (category_id, kind, amount, booked_on, description, source_type,
                                                    source_id, created_at)
                SELECT 1 + g %% 6, CASE WHEN g %% 6 < 2 THEN 'income' ELSE 'expense' END,
                       10 + (g::bigint * 7919) %% 5000, current_date - 1094 + ((g - 1)::bigint * 1095 / %s)::int,
                       '', '', '', now()
                FROM generate_series(%s::int, %s::int) g""", [size, lo, hi])
            progress(f"payroll {size:,}", hi, size, started)
    search.sync_indexes(schema, "payroll_entry")
    _monthly_totals(schema)
    return schema


def _monthly_totals(schema: str) -> None:
    """The trigger-kept monthly totals, filled the way migration payroll 0003 fills them."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {schema}.payroll_monthlytotal "
                    "(LIKE public.payroll_monthlytotal INCLUDING ALL)")
        cur.execute(f"SELECT count(*) FROM {schema}.payroll_monthlytotal")
        if not cur.fetchone()[0]:
            cur.execute(f"""INSERT INTO {schema}.payroll_monthlytotal (month, kind, total, entries)
                SELECT date_trunc('month', booked_on)::date, kind, sum(amount), count(*)
                FROM {schema}.payroll_entry GROUP BY 1, 2""")


def report_cases(size: int) -> dict:
    import datetime as dt

    from django_payroll import selectors

    schema = payroll_schema(size)
    today = dt.date.today()
    month = today - dt.timedelta(days=29)

    def in_schema(fn, **kw):
        def run():
            with _search_path(schema):
                return fn(**kw)
        return run

    year_ago = (today.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    return {
        "P&L last 30 days": in_schema(selectors.profit_and_loss, date_from=month, date_to=today),
        "P&L last 12 whole months": in_schema(selectors.profit_and_loss, date_from=year_ago),
        "P&L all time": in_schema(selectors.profit_and_loss),
        "expenses by category, 30 days": in_schema(selectors.expenses_by_category, date_from=month, date_to=today),
    }


class _search_path:
    def __init__(self, schema: str):
        self.schema = schema

    def __enter__(self):
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute(f"SET search_path TO {self.schema}, public")

    def __exit__(self, *exc):
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SET search_path TO public")


# -- marketplace deep pages --------------------------------------------------------------------------------

DEEP_SEARCHES = [("search N/2, newest", {}, "newest"),
                 ("search N/2, make=Toyota by price", {"make": "Toyota"}, "price")]


def search_cases(size: int) -> dict:
    from django_car_listing import search_cursor, selectors

    search.prepare_size(size)
    cases = {}
    for label, filters, sort in DEEP_SEARCHES:
        with _search_path(f"s{size}"):
            qs = selectors.marketplace_queryset(filters=filters).order_by(*selectors.SORTS[sort])
            depth = min(size // 2, qs.count() - PAGE)
            before = qs[depth - 1]
        cursor = search_cursor.encode(sort, before)

        def by_offset(filters=filters, sort=sort, depth=depth, schema=f"s{size}"):
            with _search_path(schema):
                return selectors.marketplace_page(filters=filters, sort=sort, offset=depth, limit=PAGE)

        def by_cursor(filters=filters, sort=sort, cursor=cursor, schema=f"s{size}"):
            with _search_path(schema):
                return selectors.marketplace_page(filters=filters, sort=sort, cursor=cursor, limit=PAGE)

        assert [r.pk for r in by_offset().results] == [r.pk for r in by_cursor().results]
        cases[f"{label} (offset)"] = by_offset
        cases[f"{label} (cursor)"] = by_cursor
    return cases


# -- run ---------------------------------------------------------------------------------------------------

def measure(cases: dict[int, dict], runs: int) -> dict[int, dict[str, tuple[float, float]]]:
    samples = {size: {label: [] for label in c} for size, c in cases.items()}
    for c in cases.values():  # warm
        for fn in c.values():
            fn()
    for _ in range(runs):
        for size, c in cases.items():
            for label, fn in c.items():
                t = time.perf_counter()
                fn()
                samples[size][label].append((time.perf_counter() - t) * 1000)
    return {size: {label: (statistics.median(xs), statistics.quantiles(xs, n=20)[18]) for label, xs in s.items()}
            for size, s in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,100000,1000000")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="keep the database if it exists")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if not (args.reuse and search.database_exists()):
        search.create_database()
    search.setup_django(extra_apps=("rest_framework", "django_payroll"))
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    cases = {size: {**statement_cases(size), **report_cases(size), **search_cases(size)} for size in sizes}
    results = measure(cases, args.runs)

    first, last = sizes[0], sizes[-1]
    lines = ["| measure | " + " | ".join(f"{s:,} p50 / p95 ms" for s in sizes) + f" | p50 {last:,} / {first:,} |",
             "| --- |" + " --- |" * (len(sizes) + 1)]
    for label in cases[first]:
        cells = " | ".join(f"{results[s][label][0]:.2f} / {results[s][label][1]:.2f}" for s in sizes)
        lines.append(f"| {label} | {cells} | {results[last][label][0] / results[first][label][0]:.1f}x |")
    lines += ["", f"N = rows: entries of the one account, accounting entries, marketplace listings. Page size {PAGE}. "
              f"{args.runs} interleaved rounds; machine: {search.machine()}"]
    _results.publish("growth.md", "\n".join(lines), title="Growth: latency from 1k to 1M rows")


if __name__ == "__main__":
    main()
