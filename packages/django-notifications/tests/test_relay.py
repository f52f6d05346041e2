"""The outbox relay against the real Redis broker (a queue no worker consumes, read back with kombu)."""
import threading
from datetime import timedelta

import pytest
from celery import Celery
from django.db import connection, transaction
from django.utils import timezone

from django_notifications import services
from django_notifications.models import OutboxMessage
from tests.celery_app import app as celery_app

pytestmark = pytest.mark.django_db(transaction=True)
QUEUE = "notifications-relay-test"
Status = OutboxMessage.Status


@pytest.fixture(autouse=True)
def own_queue(settings):
    settings.NOTIFICATIONS_DEFAULT_CHANNELS = {"*": ["inbox", "email"]}
    settings.NOTIFICATIONS_EMAIL_QUEUE = QUEUE
    channel = celery_app.connection_for_write().default_channel
    channel.queue_purge(QUEUE)
    yield
    channel.queue_purge(QUEUE)


def _broker_down():
    down = Celery("broker-down", broker="redis://127.0.0.1:1/0", set_as_current=False)
    down.set_current()
    return down


def _published_ids() -> list[str]:
    ids = []
    with celery_app.connection_for_write() as conn:
        queue = conn.SimpleQueue(QUEUE)
        while True:
            try:
                message = queue.get(timeout=0.2)
            except queue.Empty:
                break
            ids.append(message.decode()[0][0])
            message.ack()
        queue.close()
    return ids


def _pending_rows(user, n):
    _broker_down()
    try:
        for i in range(n):
            services.notify(recipient=user, kind="k", title=f"t{i}")
    finally:
        celery_app.set_current()
    return list(OutboxMessage.objects.order_by("created_at"))


def test_broker_down_leaves_rows_pending_and_stops_at_first_error(make_user):
    rows = _pending_rows(make_user(), 3)
    assert {r.status for r in rows} == {Status.PENDING}
    _broker_down()
    try:
        assert services.relay_outbox() == 0
    finally:
        celery_app.set_current()
    assert OutboxMessage.objects.filter(status=Status.PENDING, queued_at=None).count() == 3
    assert _published_ids() == []


def test_relay_publishes_pending_rows_with_limit_and_no_tenant_header(make_user, settings):
    rows = _pending_rows(make_user(), 3)
    assert services.relay_outbox(limit=2) == 2
    assert services.relay_outbox(limit=2) == 1
    assert services.relay_outbox() == 0
    assert sorted(_published_ids()) == sorted(str(r.pk) for r in rows)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.QUEUED}
    # The package knows no tenants: it writes no tenant header of its own (a site's Celery app may add one).
    OutboxMessage.objects.filter(pk=rows[0].pk).update(status=Status.PENDING)
    services.relay_outbox()
    with celery_app.connection_for_write() as conn:
        queue = conn.SimpleQueue(QUEUE)
        message = queue.get(timeout=5)
        assert "_schema_name" not in message.headers
        assert message.headers["task"] == "notifications.deliver_email"
        message.ack()
        queue.close()


def test_concurrent_relay_skips_locked_rows(make_user):
    rows = _pending_rows(make_user(), 2)
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        try:
            with transaction.atomic():
                OutboxMessage.objects.select_for_update().get(pk=rows[0].pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert locked.wait(10)
    try:
        assert services.relay_outbox() == 1  # does not wait for, nor publish, the locked row
    finally:
        release.set()
        holder.join()
    assert _published_ids() == [str(rows[1].pk)]
    assert OutboxMessage.objects.get(pk=rows[0].pk).status == Status.PENDING


def test_queued_rows_the_broker_lost_are_sent_again_after_a_while(make_user, settings):
    rows = _pending_rows(make_user(), 3)
    now = timezone.now()
    OutboxMessage.objects.filter(pk=rows[0].pk).update(status=Status.QUEUED, queued_at=now - timedelta(hours=1))
    OutboxMessage.objects.filter(pk=rows[1].pk).update(status=Status.QUEUED, queued_at=now)
    OutboxMessage.objects.filter(pk=rows[2].pk).update(status=Status.DELIVERED, queued_at=now - timedelta(hours=1))
    assert services.relay_outbox() == 1
    assert _published_ids() == [str(rows[0].pk)]


def test_outbox_retry_puts_failed_rows_back_and_relays_them(make_user):
    rows = _pending_rows(make_user(), 2)
    OutboxMessage.objects.filter(pk=rows[0].pk).update(status=Status.FAILED, last_error="boom")
    OutboxMessage.objects.filter(pk=rows[1].pk).update(status=Status.DELIVERED)
    assert services.outbox_retry(ids=[r.pk for r in rows]) == 1
    assert _published_ids() == [str(rows[0].pk)]  # relayed on commit
    assert OutboxMessage.objects.get(pk=rows[0].pk).status == Status.QUEUED
    assert OutboxMessage.objects.get(pk=rows[1].pk).status == Status.DELIVERED


def test_relay_management_command(make_user):
    from io import StringIO

    from django.core.management import call_command

    rows = _pending_rows(make_user(), 2)
    out = StringIO()
    call_command("notifications_relay", stdout=out)
    assert "relayed 2" in out.getvalue()
    assert sorted(_published_ids()) == sorted(str(r.pk) for r in rows)


def test_fast_path_publishes_only_after_commit_and_never_on_rollback(make_user):
    user = make_user()
    with transaction.atomic():
        services.notify(recipient=user, kind="k", title="committed")
        assert _published_ids() == []  # still inside the caller's transaction
        assert OutboxMessage.objects.get().status == Status.PENDING
    row = OutboxMessage.objects.get()
    assert row.status == Status.QUEUED and _published_ids() == [str(row.pk)]

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.notify(recipient=user, kind="k", title="rolled back")
        raise Boom
    assert OutboxMessage.objects.count() == 1 and _published_ids() == []
    assert services.relay_outbox() == 0
