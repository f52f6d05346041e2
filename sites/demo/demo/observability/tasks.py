"""Celery's side: task counts, failures and latency by task; the last verify_ledger result.

Connected when demo.celery loads (every worker and beat). A worker container serves its metrics on
METRICS_PORT (an internal port, never published), summed over its pool's processes.
"""
from __future__ import annotations

import os
import time

from celery import signals

from . import metrics

_started: dict[str, float] = {}  # task id -> perf_counter at start, in the process that runs it


@signals.task_prerun.connect
def _task_started(task_id=None, **kwargs) -> None:
    _started[task_id] = time.perf_counter()


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, retval=None, state=None, **kwargs) -> None:
    started = _started.pop(task_id, None)
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
