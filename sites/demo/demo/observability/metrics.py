"""The site's Prometheus metrics and the /metrics endpoint.

Processes: uvicorn runs several workers and Celery forks its pool, so counters live in
prometheus-client's multiprocess mode: every process writes its own file under
PROMETHEUS_MULTIPROC_DIR (one folder per host or container, emptied when it starts) and a scrape
sums them. The web container answers GET /metrics (Bearer METRICS_TOKEN); a worker container serves
its own on METRICS_PORT (internal network only, tasks.py). Without PROMETHEUS_MULTIPROC_DIR (tests in
one process, manage.py shell) the metrics are that process's own.

Values read at scrape time rather than counted (queue depth) come from `ScrapeTimeCollector`.
"""
from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.http import Http404, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

HTTP_REQUESTS = Counter("forecourt_http_requests_total", "HTTP requests answered, by route, method and status",
                        ["route", "method", "status"])
HTTP_LATENCY = Histogram("forecourt_http_request_duration_seconds", "Time to answer a request, by route and method",
                         ["route", "method"])
DB_QUERIES = Counter("forecourt_db_queries_total", "Database queries run while answering requests, by route",
                     ["route"])
API_REFUSALS = Counter("forecourt_api_refusals_total",
                       "API answers 4xx in the error shape, by its code (the wallet's refusals among them)", ["code"])
TASKS = Counter("forecourt_celery_tasks_total", "Celery tasks finished, by task and state (SUCCESS, FAILURE, RETRY)",
                ["task", "state"])
TASK_LATENCY = Histogram("forecourt_celery_task_duration_seconds", "Time a task ran, by task", ["task"],
                         buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300))
WALLET_POSTINGS = Counter("forecourt_wallet_postings_total", "Ledger transactions posted, by kind", ["kind"])
# The worker that ran wallet.verify_ledger last sets these; "mostrecent" keeps the newest across processes.
LEDGER_OK = Gauge("forecourt_wallet_ledger_verified_ok", "1 if the last verify_ledger found the ledger consistent",
                  multiprocess_mode="mostrecent")
LEDGER_MISMATCHES = Gauge("forecourt_wallet_ledger_mismatches", "Mismatches the last verify_ledger found",
                          multiprocess_mode="mostrecent")
LEDGER_CHECKED_AT = Gauge("forecourt_wallet_ledger_verified_at_seconds",
                          "Unix time the last verify_ledger finished", multiprocess_mode="mostrecent")


def ledger_verified(report: dict, finished_at: float) -> None:
    mismatches = len(report.get("mismatches") or [])
    LEDGER_OK.set(1 if report.get("ok") else 0)
    LEDGER_MISMATCHES.set(mismatches)
    LEDGER_CHECKED_AT.set(finished_at)


class ScrapeTimeCollector:
    """Values read when Prometheus asks: the Celery queues' depth in Redis, the domain events' backlog."""

    def collect(self):
        yield from self._queues()
        yield from self._outbox()

    @staticmethod
    def _outbox():
        from django.db import DatabaseError

        from forecourt_core.events.selectors import event_backlog

        try:
            backlog = event_backlog()
        except DatabaseError:
            return  # a lost database shows as missing samples, never as a failed scrape
        # One outbox: domain events, the e-mails and pushes they cause, and the orders waiting to settle.
        yield GaugeMetricFamily("forecourt_outbox_backlog", "Events recorded and not delivered yet",
                                value=backlog.count)
        yield GaugeMetricFamily("forecourt_outbox_oldest_age_seconds", "Age of the oldest undelivered event",
                                value=backlog.oldest_age_seconds)
        yield GaugeMetricFamily("forecourt_outbox_failed", "Events that ran out of delivery attempts",
                                value=backlog.failed)

    @staticmethod
    def _queues():
        import redis

        depth = GaugeMetricFamily("forecourt_celery_queue_depth", "Messages waiting in each Celery queue",
                                  labels=["queue"])
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2)
        try:
            for queue in sorted(queue_names()):
                depth.add_metric([queue], client.llen(queue))
        except redis.RedisError:
            pass  # an unreachable broker shows as missing samples, never as a failed scrape
        finally:
            client.close()
        yield depth


def queue_names() -> set[str]:
    routed = {route["queue"] for route in getattr(settings, "CELERY_TASK_ROUTES", {}).values() if "queue" in route}
    return {"celery", *routed}


def registry() -> CollectorRegistry:
    """This process's metrics, or every process's of this host when PROMETHEUS_MULTIPROC_DIR is set."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        found = CollectorRegistry()
        multiprocess.MultiProcessCollector(found)
        return found
    from prometheus_client import REGISTRY

    return REGISTRY


def metrics_view(request):
    """GET /metrics with `Authorization: Bearer <METRICS_TOKEN>`; 404 when no token is configured or it is wrong,
    so the endpoint does not even show it exists."""
    token = getattr(settings, "METRICS_TOKEN", "")
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(sent.encode(), token.encode()):
        raise Http404
    scraped = registry()
    body = generate_latest(scraped)
    extra = CollectorRegistry()
    extra.register(ScrapeTimeCollector())
    return HttpResponse(body + generate_latest(extra), content_type=CONTENT_TYPE_LATEST)
