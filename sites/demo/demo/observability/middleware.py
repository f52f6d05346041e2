"""One middleware, outermost: the request id, one JSON log line per request, and the request metrics."""
from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import connection

from forecourt_core import context

from . import logs, metrics

log = logging.getLogger("forecourt.request")

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
        request_id = logs.request_id_from(request.headers.get("X-Request-ID"))
        id_token, request_token = context.request_id.set(request_id), logs.current_request.set(request)
        try:
            with connection.execute_wrapper(queries):
                response = self.get_response(request)
            response["X-Request-ID"] = request_id
            elapsed = time.perf_counter() - started
            route = route_of(request)
            self._measure(request, response, route, elapsed, queries.count)
            log.info("%s %s %s", request.method, request.path, response.status_code, extra={
                "method": request.method, "path": request.path, "route": route, "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1), "queries": queries.count})
            return response
        finally:
            context.request_id.reset(id_token)
            logs.current_request.reset(request_token)

    @staticmethod
    def _measure(request, response, route: str, elapsed: float, queries: int) -> None:
        method = request.method if request.method in METHODS else "other"
        metrics.HTTP_REQUESTS.labels(route, method, str(response.status_code)).inc()
        metrics.HTTP_LATENCY.labels(route, method).observe(elapsed)
        metrics.DB_QUERIES.labels(route).inc(queries)
        data = getattr(response, "data", None)  # a DRF Response keeps the body it rendered
        if 400 <= response.status_code < 500 and isinstance(data, dict) and isinstance(data.get("code"), str):
            metrics.API_REFUSALS.labels(data["code"]).inc()
