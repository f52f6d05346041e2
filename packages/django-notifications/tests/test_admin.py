from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from django_notifications import services
from django_notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(make_user, client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def test_stuck_filter_shows_only_old_undelivered_rows(admin_client_, make_user, settings):
    settings.NOTIFICATIONS_DEFAULT_CHANNELS = {"*": ["email"]}
    for _ in range(4):
        services.notify(recipient=make_user(), kind="k", title="t")
    old, old_queued, old_delivered, fresh = OutboxMessage.objects.order_by("created_at")
    long_ago = timezone.now() - timedelta(hours=1)
    OutboxMessage.objects.filter(pk=old.pk).update(created_at=long_ago)
    OutboxMessage.objects.filter(pk=old_queued.pk).update(created_at=long_ago, status="queued")
    OutboxMessage.objects.filter(pk=old_delivered.pk).update(created_at=long_ago, status="delivered")
    resp = admin_client_.get(reverse("admin:notifications_outboxmessage_changelist"), {"stuck": "1"})
    assert resp.status_code == 200
    shown = {str(o.pk) for o in resp.context["cl"].result_list}
    assert shown == {str(old.pk), str(old_queued.pk)}


def test_retry_action_puts_rows_back_to_pending(admin_client_, make_user, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_DEFAULT_CHANNELS = {"*": ["email"]}
    services.notify(recipient=make_user(), kind="k", title="t")
    row = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=row.pk).update(status="failed", last_error="boom")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        resp = admin_client_.post(
            reverse("admin:notifications_outboxmessage_changelist"),
            {"action": "retry", "_selected_action": [str(row.pk)]},
        )
    assert resp.status_code == 302
    row.refresh_from_db()
    assert row.status == "pending" and len(callbacks) == 1  # relayed once the transaction commits


def test_notification_admin_pages_load(admin_client_, make_user):
    note = services.notify(recipient=make_user(), kind="k", title="t")
    assert admin_client_.get(reverse("admin:notifications_notification_changelist"), {"unread": "1"}).status_code == 200
    assert admin_client_.get(reverse("admin:notifications_notification_change", args=[note.pk])).status_code == 200
    assert admin_client_.get(reverse("admin:notifications_preference_changelist")).status_code == 200


def test_non_staff_cannot_reach_admin(client, make_user):
    client.force_login(make_user())
    resp = client.get(reverse("admin:notifications_outboxmessage_changelist"))
    assert resp.status_code == 302 and "login" in resp["Location"]
