"""Celery's side: the request id carried into tasks; task counts, failures and latency by task; the last
verify_ledger result; JSON logs in workers and beat.

Connected when demo.celery loads (every web process, worker and beat). A worker container serves its
metrics on METRICS_PORT (an internal port, never published), summed over its pool's processes.
"""
from __future__ import annotations

import logging.config
import os
import time
from contextvars import Token

from celery import signals

from forecourt_core import context

from . import metrics

HEADER = "forecourt_request_id"
_started: dict[str, tuple[float, Token]] = {}  # task id -> (perf_counter at start, request id token)


@signals.setup_logging.connect
def _json_logging(**kwargs) -> None:
    """Workers and beat log as the site does (settings.LOGGING: JSON lines), not in Celery's own format."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@signals.before_task_publish.connect
def _carry_request_id(headers=None, **kwargs) -> None:
    """A task sent while answering a request (or running a task) carries that request's id."""
    request_id = context.request_id.get()
    if request_id and headers is not None:
        headers.setdefault(HEADER, request_id)


def _request_id_of(task) -> str:
    # With the Redis transport the message headers are merged into task.request (as for the schema name).
    headers = getattr(task.request, "headers", None) or {}
    return headers.get(HEADER) or task.request.get(HEADER) or ""


@signals.task_prerun.connect
def _task_started(task_id=None, task=None, **kwargs) -> None:
    _started[task_id] = (time.perf_counter(), context.request_id.set(_request_id_of(task) if task else ""))


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, retval=None, state=None, **kwargs) -> None:
    started, token = _started.pop(task_id, (None, None))
    if token is not None:
        try:
            context.request_id.reset(token)
        except ValueError:  # postrun in another context than prerun: forget the id all the same
            context.request_id.set("")
    if task is None:
        return
    metrics.TASKS.labels(task.name, state or "UNKNOWN").inc()
    if started is not None:
        metrics.TASK_LATENCY.labels(task.name).observe(time.perf_counter() - started)
    if task.name == "wallet.verify_ledger" and state == "SUCCESS" and isinstance(retval, dict):
        metrics.ledger_verified(retval, time.time())


@signals.worker_ready.connect
def _serve_metrics(sender=None, **kwargs) -> None:
    """The worker's own /metrics on METRICS_PORT (all interfaces of its container: the internal network)."""
    port = os.environ.get("METRICS_PORT")
    if not port:
        return
    from prometheus_client import start_http_server

    start_http_server(int(port), addr=os.environ.get("METRICS_ADDR", "0.0.0.0"), registry=metrics.registry())  # noqa: S104
