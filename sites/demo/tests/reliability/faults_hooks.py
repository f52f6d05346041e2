"""Worker-side probes for the fault tests (loaded through CELERY_IMPORTS in faults_settings).

FAULTS_TASK_LOG: a line "<worker> <event> <task name> <task id>" per task start and end, so a test
sees which worker ran which message. FAULTS_STALL_AFTER=<task name>: after that task's body has
returned (its effect committed) the worker stalls before the broker ack, so a test can kill it in
exactly that window.
"""
import os
import time

from celery.signals import task_postrun, task_prerun


def _log(event: str, task, task_id: str) -> None:
    path = os.environ.get("FAULTS_TASK_LOG")
    if path:
        with open(path, "a") as f:
            f.write(f"{os.environ.get('FAULTS_WORKER_NAME', '-')} {event} {task.name} {task_id}\n")


@task_prerun.connect
def _started(task_id=None, task=None, **kwargs):
    _log("start", task, task_id)


@task_postrun.connect
def _finished(task_id=None, task=None, **kwargs):
    _log("end", task, task_id)
    if task.name == os.environ.get("FAULTS_STALL_AFTER"):
        _log("stalled", task, task_id)
        time.sleep(3600)
