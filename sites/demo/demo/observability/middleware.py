"""One middleware, outermost, that measures every request: count, latency and queries by route and status."""
from __future__ import annotations

import time

from django.conf import settings
from django.db import connection

from . import metrics

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class QueryCounter:
    """A database execute wrapper that counts the queries it sees."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def route_of(request) -> str:
    """The URL pattern that answered (bounded label values), "static" or "unmatched"."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.route or match.view_name or "unnamed"
    return "static" if request.path.startswith(settings.STATIC_URL) else "unmatched"


class RequestObservabilityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started, queries = time.perf_counter(), QueryCounter()
        with connection.execute_wrapper(queries):
            response = self.get_response(request)
        elapsed = time.perf_counter() - started
        route = route_of(request)
        method = request.method if request.method in METHODS else "other"
        metrics.HTTP_REQUESTS.labels(route, method, str(response.status_code)).inc()
        metrics.HTTP_LATENCY.labels(route, method).observe(elapsed)
        metrics.DB_QUERIES.labels(route).inc(queries.count)
        data = getattr(response, "data", None)  # a DRF Response keeps the body it rendered
        if 400 <= response.status_code < 500 and isinstance(data, dict) and isinstance(data.get("code"), str):
            metrics.API_REFUSALS.labels(data["code"]).inc()
        return response
