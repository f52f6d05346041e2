"""The periodic tasks run on a real Celery worker over the real Redis broker."""

from datetime import timedelta
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from django_wallet import services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker():
    from .celery_app import app

    app.set_current()
    app.loader.import_module("django_wallet.tasks")
    with start_worker(app, perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
        yield app


def test_tasks_on_real_worker(worker, funded):
    a, b = funded("10.00"), funded("0")
    services.transfer(source=a, destination=b, amount=Decimal("2"))
    services.hold(account=a, amount=Decimal("1"), expires_at=timezone.now() - timedelta(seconds=1))
    report = worker.send_task("wallet.verify_ledger").get(timeout=30)
    assert report["ok"] is True and report["transactions_checked"] == 2
    assert worker.send_task("wallet.release_expired_holds").get(timeout=30) == 1
