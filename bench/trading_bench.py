"""django-trading benchmark: cached vs uncached GET /stocks/{ticker}/, bulk ingest rows/s, trades settled/s.

Run from the repo root:  .venv/bin/python bench/trading_bench.py [--quick]
Uses the package's test settings on a throwaway database ``bench_django_trading`` (real
PostgreSQL, real Redis db 6; do not run it while the package's tests run). Prints a table and
writes bench/results/trading.md. Numbers are for the machine it ran on; compare rows within one
run (each measurement has its reference beside it), not across machines.
"""
import os
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packages" / "django-trading"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

QUICK = "--quick" in sys.argv


def rate(count, seconds):
    return count / seconds if seconds else float("inf")


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main():
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host "testserver" is allowed
    settings.DATABASES["default"]["TEST"]["NAME"] = "bench_django_trading"
    load_before = os.getloadavg()[0]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        rows = run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    table = ["| measurement | result | reference in the same run |", "| --- | --- | --- |"]
    table += [f"| {name} | {value} | {ref} |" for name, value, ref in rows]
    report = "\n".join(table)
    print(report)
    out = ROOT / "bench" / "results" / "trading.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        "# django-trading benchmark\n\n"
        f"`bench/trading_bench.py{' --quick' if QUICK else ''}`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{os.cpu_count()} CPUs, PostgreSQL and Redis on localhost, in-process Django test client "
        "(no HTTP server), one solo-pool Celery worker in-process. 1-minute load average "
        f"{load_before:.1f} before and {os.getloadavg()[0]:.1f} after (other jobs share the machine; "
        "absolute numbers drop with load, the ratios within a row are the useful part).\n\n" + report + "\n")


def run():
    from django.contrib.auth import get_user_model
    from django.core.cache import caches

    from django_trading import conf, services
    from django_trading.models import Order
    from forecourt_core.events.services import event_record_many

    client_redis = caches[conf.get("TRADING_CACHE_ALIAS")]._cache.get_client(write=True)
    for key in client_redis.scan_iter(match="trading-tests:*", count=1000):
        client_redis.delete(key)
    client_redis.delete("trading")

    rows = []
    User = get_user_model()
    admin = User.objects.create_user("bench-admin", password="x", is_staff=True)
    api = APIClient()
    api.force_authenticate(admin)

    # 1. Bulk ingest.
    batch, rounds = (2000, 3) if QUICK else (5000, 6)
    start = timezone.now() - timedelta(days=365)
    total, spent = 0, 0.0
    for r in range(rounds):
        bars = [{"ticker": f"S{i % 50:03d}", "open": Decimal("10.00"), "high": Decimal("11.00"),
                 "low": Decimal("9.00"), "close": Decimal(f"10.{i % 100:02d}"), "volume": 1000 + i,
                 "timestamp": start + timedelta(minutes=r * batch + i)} for i in range(batch)]
        _, seconds = timed(lambda bars=bars: services.bars_ingest(bars=bars))
        total, spent = total + batch, spent + seconds
    service_rate = rate(total, spent)
    payload = [{"ticker": f"H{i % 50:03d}", "open": "10.00", "high": "11.00", "low": "9.00", "close": "10.50",
                "volume": i, "timestamp": (start + timedelta(minutes=i)).isoformat()} for i in range(batch)]
    response, seconds = timed(lambda: api.post("/api/trading/stocks/", payload, format="json"))
    assert response.status_code == 201, response.data
    rows.append((f"bulk ingest over HTTP API ({batch} bars/request)", f"{rate(batch, seconds):,.0f} rows/s",
                 f"service alone (no JSON/serializer): {service_rate:,.0f} rows/s"))

    # 2. GET /stocks/{ticker}/ cached vs uncached.
    n = 300 if QUICK else 1500
    url = "/api/trading/stocks/S007/"
    assert api.get(url).status_code == 200
    _, cached_s = timed(lambda: [api.get(url) for _ in range(n)])
    nocache = {**settings.CACHES, "bench-nocache": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=nocache, TRADING_CACHE_ALIAS="bench-nocache"):
        assert api.get(url).status_code == 200
        _, uncached_s = timed(lambda: [api.get(url) for _ in range(n)])
    rows.append((f"GET /stocks/{{ticker}}/ cached ({n} requests)", f"{rate(n, cached_s):,.0f} req/s",
                 f"uncached (every read hits PostgreSQL): {rate(n, uncached_s):,.0f} req/s "
                 f"(x{uncached_s / cached_s:.1f} slower)"))

    # 3. Trades settled per second.
    trades = 200 if QUICK else 1000
    trader = User.objects.create_user("bench-trader", password="x")
    services.trader_fund(username="bench-trader", amount=Decimal("100000000.00"))
    services.bars_ingest(bars=[{"ticker": "TRD", "open": Decimal("5.00"), "high": Decimal("5.00"),
                                "low": Decimal("5.00"), "close": Decimal("5.00"), "volume": 10**9,
                                "timestamp": timezone.now()}])

    def pending(count):
        now = timezone.now()
        return Order.objects.bulk_create([Order(user=trader, ticker="TRD", side="buy", volume=1, pending_since=now)
                                          for _ in range(count)])

    direct = pending(trades // 2)
    _, direct_s = timed(lambda: [services.order_settle(order_id=o.id) for o in direct])

    from celery.contrib.testing.worker import start_worker
    from tests.celery_app import app
    orders = pending(trades)
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, queues=[app.conf.task_default_queue]):
        t0 = time.perf_counter()
        with transaction.atomic():  # as placing them would: their events, relayed to the worker on commit
            event_record_many(kind="trading.order_placed", data=[{"order_id": o.id} for o in orders])
        while Order.objects.filter(status="pending").exists():
            time.sleep(0.02)
        worker_s = time.perf_counter() - t0
    settled = Order.objects.filter(status="settled").count()
    assert settled == trades + trades // 2, settled
    rows.append((f"trades settled by one worker ({trades} market buys, enqueue to settled)",
                 f"{rate(trades, worker_s):,.0f} trades/s",
                 f"settle service called in a loop, no broker: {rate(len(direct), direct_s):,.0f} trades/s"))
    connection.close()
    return rows


if __name__ == "__main__":
    main()
