import pytest
from django.urls import reverse

from django_notifications import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(make_user, client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def test_notification_admin_pages_load(admin_client_, make_user):
    note = services.notify(recipient=make_user(), kind="k", title="t")
    assert admin_client_.get(reverse("admin:notifications_notification_changelist"), {"unread": "1"}).status_code == 200
    assert admin_client_.get(reverse("admin:notifications_notification_change", args=[note.pk])).status_code == 200
    assert admin_client_.get(reverse("admin:notifications_preference_changelist")).status_code == 200


def test_non_staff_cannot_reach_admin(client, make_user):
    client.force_login(make_user())
    resp = client.get(reverse("admin:notifications_notification_changelist"))
    assert resp.status_code == 302 and "login" in resp["Location"]
