"""Prometheus metrics on the rehearsal stack: the web container's /metrics (token) and the worker's own port.

A purchase moves the request, query and wallet counters; a refusal is counted by its code; tasks sent
to the worker are counted by name and state, with their latency; verify_ledger's result is a gauge.
"""
from __future__ import annotations

import time

from celery import Celery
from prometheus_client.parser import text_string_to_metric_families

from .flows import funded_buyer, mails_about, purchase
from .servers import call, get

TOKEN = "rehearsal-metrics-token"


def scrape(url: str, headers: dict[str, str] | None = None) -> dict[tuple, float]:
    status, body, _ = get(url, "localhost", headers)
    assert status == 200, body[:500]
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(body.decode()) for sample in family.samples}


def value(samples: dict[tuple, float], name: str, **labels: str) -> float:
    """The sum of `name`'s samples whose labels include `labels` (0 when none)."""
    return sum(v for (n, got), v in samples.items() if n == name and set(labels.items()) <= set(got))


def web_metrics(stack) -> dict[tuple, float]:
    return scrape(stack.url("/metrics"), {"Authorization": f"Bearer {TOKEN}"})


def worker_metrics(stack) -> dict[tuple, float]:
    return scrape(f"http://127.0.0.1:{stack.worker_metrics_port}/metrics")


def test_metrics_need_the_token(stack):
    assert get(stack.url("/metrics"), "localhost")[0] == 404
    assert get(stack.url("/metrics"), "localhost", {"Authorization": "Bearer wrong"})[0] == 404
    assert web_metrics(stack)  # and answers with it


def test_a_purchase_moves_the_request_query_wallet_and_refusal_counters(stack):
    before = web_metrics(stack)
    bought = purchase(stack, "metrics", 2)
    assert bought.status == 201, bought.body
    route = next(labels for (name, labels), _ in web_metrics(stack).items()
                 if name == "forecourt_http_requests_total" and dict(labels)["route"].endswith("buy/$")
                 and dict(labels)["status"] == "201")
    route = dict(route)["route"]
    # Someone else tries the sold car: refused with its code, counted by that code.
    late = funded_buyer(stack, "metrics-late", "100.00")
    refused = call("POST", stack.url(f"/api/cars/{bought.car_id}/buy/?store=metrics"), "localhost", {}, late)
    code = refused[1].get("code")
    assert 400 <= refused[0] < 500 and code, refused
    after = web_metrics(stack)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("forecourt_http_requests_total", route=route, method="POST", status="201") == 1
    assert moved("forecourt_http_requests_total", route=route, method="POST", status=str(refused[0])) == 1
    assert moved("forecourt_http_request_duration_seconds_count", route=route, method="POST") == 2
    assert moved("forecourt_db_queries_total", route=route) >= 5  # a purchase locks, posts and records
    assert moved("forecourt_http_requests_total", route="api/auth/token/", status="200") >= 2
    assert moved("forecourt_wallet_postings_total") >= 3  # two credits approved and the purchase itself
    assert moved("forecourt_api_refusals_total", code=code) == 1
    assert ("forecourt_celery_queue_depth", (("queue", "celery"),)) in after


def test_worker_counts_tasks_by_state_with_latency_and_keeps_the_last_ledger_check(stack):
    bought = purchase(stack, "tasks", 3)
    assert bought.status == 201, bought.body
    mails_about(stack, bought.model)
    sender = Celery(broker=stack.redis_url)
    before = worker_metrics(stack)
    sender.send_task("wallet.verify_ledger")
    sender.send_task("wallet.verify_ledger", args=["unexpected"])  # a TypeError in the worker: a failure
    deadline = time.monotonic() + 60
    while value(after := worker_metrics(stack), "forecourt_celery_tasks_total", task="wallet.verify_ledger") < \
            value(before, "forecourt_celery_tasks_total", task="wallet.verify_ledger") + 2:
        assert time.monotonic() < deadline, stack.logs["worker"].read_text()[-3000:]
        time.sleep(0.5)
    assert value(after, "forecourt_celery_tasks_total", task="wallet.verify_ledger", state="FAILURE") >= 1
    assert value(after, "forecourt_celery_tasks_total", task="wallet.verify_ledger", state="SUCCESS") >= 1
    assert value(after, "forecourt_celery_task_duration_seconds_count", task="wallet.verify_ledger") >= 2
    assert value(after, "forecourt_wallet_ledger_verified_ok") == 1
    assert value(after, "forecourt_wallet_ledger_mismatches") == 0
    assert value(after, "forecourt_wallet_ledger_verified_at_seconds") > time.time() - 120
    # the purchase's e-mail went through a task too
    assert sum(v for (n, labels), v in after.items() if n == "forecourt_celery_tasks_total"
               and dict(labels)["state"] == "SUCCESS" and dict(labels)["task"] != "wallet.verify_ledger") >= 1


def test_outbox_backlog_and_age_show_an_event_nobody_delivered(stack):
    """An event held back (available only in an hour, recorded an hour ago) is the backlog and its age."""
    import psycopg

    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        before = web_metrics(stack)
        assert value(before, "forecourt_outbox_backlog") == 0  # every purchase's events were delivered
        event = conn.execute(
            "INSERT INTO forecourt_events_event (id, kind, key, data, route, request_id, status, attempts,"
            " available_at, last_error, created_at) VALUES (gen_random_uuid(), 'ops.held_back', '', '{}', '', '',"
            " 'pending', 0,"
            " now() + interval '1 hour', '', now() - interval '1 hour') RETURNING id").fetchone()[0]
        try:
            held = web_metrics(stack)
        finally:
            conn.execute("DELETE FROM forecourt_events_event WHERE id = %s", [event])
    assert value(held, "forecourt_outbox_backlog") == 1
    assert 3500 < value(held, "forecourt_outbox_oldest_age_seconds") < 4000
    assert value(web_metrics(stack), "forecourt_outbox_backlog") == 0
