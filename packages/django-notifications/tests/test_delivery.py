"""Delivery through a real Celery worker on the real Redis broker."""
import threading

import pytest
from celery import Celery
from django.core import mail
from django.db import connection

from django_notifications import services, tasks
from django_notifications.models import OutboxMessage
from tests.celery_app import app as celery_app
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def email_only(settings):
    # Only the settings fixture here: mixing it with override_settings decorators leaks on teardown.
    settings.NOTIFICATIONS_DEFAULT_CHANNELS = {"*": ["inbox", "email"]}
Status = OutboxMessage.Status


def _delivered(n):
    return lambda: OutboxMessage.objects.filter(status=Status.DELIVERED).count() >= n


def test_worker_delivers_the_email_once(celery_worker, make_user):
    user = make_user()
    services.notify(recipient=user, kind="car.purchased", title="Your car was sold", body="Congrats")
    wait_for(_delivered(1))
    row = OutboxMessage.objects.get()
    assert row.status == Status.DELIVERED and row.attempts == 1 and row.delivered_at and row.queued_at
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert (msg.to, msg.subject, msg.body, msg.from_email) == (
        [user.email], "Your car was sold", "Congrats", "forecourt@example.com")


def test_redelivered_message_does_not_send_twice(celery_worker, make_user):
    services.notify(recipient=make_user(), kind="k", title="once")
    wait_for(_delivered(1))
    row = OutboxMessage.objects.get()
    # The broker hands the same message to a worker again (e.g. the ack was lost): no second e-mail.
    again = [tasks.deliver_email.apply_async(args=[str(row.pk)]) for _ in range(2)]
    assert [r.get(timeout=20) for r in again] == [False, False]
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.attempts == 1


def test_message_restored_after_worker_crash_is_a_no_op(make_user, settings):
    """A worker takes the message (acks_late: unacked), delivers, and dies before the ack.

    Redis restores the unacked message; the next worker runs it again and sends nothing.
    No background worker here: the test plays the worker with kombu on the real broker.
    """
    settings.NOTIFICATIONS_EMAIL_QUEUE = queue = "notifications-crash-test"
    celery_app.connection_for_write().default_channel.queue_purge(queue)  # left by an interrupted earlier run
    services.notify(recipient=make_user(), kind="k", title="crash")  # on commit: published to `queue`
    row = OutboxMessage.objects.get()
    assert row.status == Status.QUEUED

    def take_and_run(conn, ack: bool):
        simple = conn.SimpleQueue(queue)
        message = simple.get(timeout=10)
        args, kwargs, _ = message.decode()
        result = tasks.deliver_email.apply(args=args, kwargs=kwargs, task_id=message.headers["id"]).get()
        if ack:
            message.ack()
        simple.close()
        return message.headers["id"], result

    with celery_app.connection_for_write() as first:  # a new connection, with the broker transport options
        first_id, first_result = take_and_run(first, ack=False)
        # The "crash": the connection goes away without the ack.
    with celery_app.connection_for_write() as second:
        second_id, second_result = take_and_run(second, ack=True)
    assert first_id == second_id  # the very same message came back
    assert (first_result, second_result) == (True, False)
    assert len(mail.outbox) == 1


def test_two_concurrent_runs_of_one_delivery_send_once(make_user, settings):
    settings.EMAIL_BACKEND = "tests.backends.SlowEmailBackend"
    settings.NOTIFICATIONS_EMAIL_QUEUE = "notifications-unconsumed"  # keep the session worker out of it
    services.notify(recipient=make_user(), kind="k", title="race")
    row_id = str(OutboxMessage.objects.get().pk)
    barrier, results = threading.Barrier(2), []

    def run():
        try:
            barrier.wait()
            results.append(services.deliver_email(outbox_id=row_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]
    assert len(mail.outbox) == 1
    celery_app.connection_for_write().default_channel.queue_purge("notifications-unconsumed")


def test_retries_with_backoff_then_marks_failed(make_user, settings):
    settings.EMAIL_BACKEND = "tests.backends.BrokenEmailBackend"
    settings.NOTIFICATIONS_EMAIL_QUEUE = "notifications-unconsumed"
    services.notify(recipient=make_user(), kind="k", title="doomed")
    celery_app.connection_for_write().default_channel.queue_purge("notifications-unconsumed")
    row = OutboxMessage.objects.get()
    # Eager run: each autoretry re-runs at once; the last one gives up and marks the row failed.
    result = tasks.deliver_email.apply(args=[str(row.pk)])
    assert result.failed() and isinstance(result.result, ConnectionRefusedError)
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert row.attempts == tasks.deliver_email.max_retries + 1
    assert "smtp down" in row.last_error
    assert tasks.deliver_email.retry_backoff and tasks.deliver_email.acks_late


def test_broker_down_loses_nothing_and_sends_each_once(celery_worker, make_user):
    users = [make_user() for _ in range(10)]
    down = Celery("broker-down", broker="redis://127.0.0.1:1/0", set_as_current=False)
    down.conf.task_default_queue = celery_app.conf.task_default_queue
    down.set_current()
    try:
        for i in range(100):  # each commit tries the fast path, which fails at once
            services.notify(recipient=users[i % 10], kind="k", title=f"n{i}")
    finally:
        celery_app.set_current()
    assert OutboxMessage.objects.filter(status=Status.PENDING).count() == 100
    assert "publish" in OutboxMessage.objects.exclude(last_error="").first().last_error
    assert mail.outbox == []

    assert services.relay_outbox() == 100  # broker back: the relay hands everything over
    wait_for(_delivered(100), timeout=60)
    assert services.relay_outbox() == 0
    assert sorted(m.subject for m in mail.outbox) == sorted(f"n{i}" for i in range(100))
    assert all(m.to == [users[int(m.subject[1:]) % 10].email] for m in mail.outbox)


def test_relay_task_runs_on_the_worker(celery_worker, make_user, settings):
    settings.NOTIFICATIONS_PUBLISH_RETRY_POLICY = {"max_retries": 0}
    down = Celery("broker-down", broker="redis://127.0.0.1:1/0", set_as_current=False)
    down.set_current()
    try:
        services.notify(recipient=make_user(), kind="k", title="late")
    finally:
        celery_app.set_current()
    assert tasks.relay_outbox.delay().get(timeout=20) == 1
    wait_for(_delivered(1))
    assert [m.subject for m in mail.outbox] == ["late"]


def test_non_retryable_error_marks_failed_at_once(make_user, settings):
    settings.NOTIFICATIONS_DEFAULT_CHANNELS = {"*": ["inbox", "push"]}
    settings.NOTIFICATIONS_PUSH_QUEUE = "notifications-unconsumed"
    services.notify(recipient=make_user(), kind="k", title="no layer")
    celery_app.connection_for_write().default_channel.queue_purge("notifications-unconsumed")
    row = OutboxMessage.objects.get()
    settings.CHANNEL_LAYERS = {}  # push delivery is misconfigured: retrying would not help
    result = tasks.deliver_push.apply(args=[str(row.pk)])
    assert result.failed()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert "CHANNEL_LAYERS" in row.last_error
