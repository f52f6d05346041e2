import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from django_notifications import services
from django_notifications.models import Notification, Preference
from tests.conftest import deliveries

pytestmark = pytest.mark.django_db


def _notify(user, n, **kwargs):
    return [services.notify(recipient=user, kind="car.posted", title=f"t{i}", **kwargs) for i in range(n)]


class NotificationListApiTests:
    url = reverse("notifications:list")

    def test_lists_only_own_notifications_newest_first(self, make_user, client_for):
        me, other = make_user(), make_user()
        mine = _notify(me, 3)
        _notify(other, 2)
        resp = client_for(me).get(self.url)
        assert resp.status_code == 200
        assert resp.json()["count"] == 3
        assert [r["id"] for r in resp.json()["results"]] == [n.pk for n in reversed(mine)]
        assert set(resp.json()["results"][0]) == {"id", "kind", "title", "body", "link", "data", "created_at",
                                                  "read_at"}

    def test_unread_filter(self, make_user, client_for):
        me = make_user()
        notes = _notify(me, 4)
        services.mark_read(user=me, notification_id=notes[0].pk)
        client = client_for(me)
        unread = client.get(self.url, {"unread": "true"}).json()
        read = client.get(self.url, {"unread": "false"}).json()
        assert unread["count"] == 3 and notes[0].pk not in {r["id"] for r in unread["results"]}
        assert [r["id"] for r in read["results"]] == [notes[0].pk]
        assert read["results"][0]["read_at"] is not None

    def test_bad_unread_value_is_400(self, make_user, client_for):
        resp = client_for(make_user()).get(self.url, {"unread": "maybe"})
        assert resp.status_code == 400 and "unread" in resp.json()["fields"]

    def test_pagination(self, make_user, client_for):
        me = make_user()
        _notify(me, 25)
        client = client_for(me)
        first = client.get(self.url).json()
        assert first["count"] == 25 and len(first["results"]) == 20 and first["next"]
        second = client.get(self.url, {"page": 2}).json()
        assert len(second["results"]) == 5 and second["next"] is None
        assert len(client.get(self.url, {"page_size": 500}).json()["results"]) == 25  # capped at 100
        assert client.get(self.url, {"page": 9}).status_code == 404

    def test_query_count_does_not_grow_with_rows(self, make_user, client_for, django_assert_max_num_queries):
        me = make_user()
        _notify(me, 60)
        client = client_for(me)
        with django_assert_max_num_queries(2):  # count + page
            resp = client.get(self.url, {"page_size": 50})
        assert len(resp.json()["results"]) == 50

    def test_anonymous_refused(self):
        assert APIClient().get(self.url).status_code in (401, 403)


class UnreadCountApiTests:
    def test_counts_only_own_unread(self, make_user, client_for):
        me, other = make_user(), make_user()
        notes = _notify(me, 3)
        _notify(other, 5)
        services.mark_read(user=me, notification_id=notes[1].pk)
        resp = client_for(me).get(reverse("notifications:unread-count"))
        assert resp.json() == {"count": 2}

    def test_anonymous_refused(self):
        assert APIClient().get(reverse("notifications:unread-count")).status_code in (401, 403)


class MarkReadApiTests:
    def test_marks_own_notification_read(self, make_user, client_for):
        me = make_user()
        (note,) = _notify(me, 1)
        resp = client_for(me).post(reverse("notifications:mark-read", args=[note.pk]))
        assert resp.status_code == 200 and resp.json()["read_at"] is not None
        assert Notification.objects.get(pk=note.pk).read_at is not None

    def test_other_users_id_is_404_and_untouched(self, make_user, client_for):
        owner, intruder = make_user(), make_user()
        (note,) = _notify(owner, 1)
        resp = client_for(intruder).post(reverse("notifications:mark-read", args=[note.pk]))
        assert resp.status_code == 404
        assert resp.json()["code"] == "notification_not_found"
        assert Notification.objects.get(pk=note.pk).read_at is None

    def test_unknown_id_is_404(self, make_user, client_for):
        assert client_for(make_user()).post(reverse("notifications:mark-read", args=[999999])).status_code == 404

    def test_mark_all_read(self, make_user, client_for):
        me, other = make_user(), make_user()
        _notify(me, 3)
        _notify(other, 2)
        client = client_for(me)
        assert client.post(reverse("notifications:mark-all-read")).json() == {"updated": 3}
        assert client.get(reverse("notifications:unread-count")).json() == {"count": 0}
        assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 2


class PreferencesApiTests:
    url = reverse("notifications:preferences")

    def test_get_shows_defaults_and_own_preferences(self, make_user, client_for):
        me, other = make_user(), make_user()
        Preference.objects.create(user=me, kind="*", channel="email", enabled=False)
        Preference.objects.create(user=other, kind="*", channel="push", enabled=False)
        body = client_for(me).get(self.url).json()
        assert body["defaults"] == {"*": ["inbox", "push", "email"]}
        assert body["preferences"] == [{"kind": "*", "channel": "email", "enabled": False}]

    def test_put_replaces_and_takes_effect(self, make_user, client_for):
        me = make_user()
        prefs = [{"kind": "car.posted", "channel": "email", "enabled": False}]
        resp = client_for(me).put(self.url, {"preferences": prefs}, format="json")
        assert resp.status_code == 200 and resp.json()["preferences"] == prefs
        services.notify(recipient=me, kind="car.posted", title="x")
        assert [e.kind for e in deliveries()] == ["notifications.push_due"]

    @pytest.mark.parametrize(
        "body",
        [{}, {"preferences": "x"}, {"preferences": [{"kind": "*", "channel": "sms", "enabled": True}]},
         {"preferences": [{"kind": "*", "channel": "email"}]},
         {"preferences": [{"kind": "bad kind", "channel": "email", "enabled": True}]},
         {"preferences": [{"kind": "*", "channel": "email", "enabled": True}] * 2}],
    )
    def test_bad_input_is_400(self, make_user, client_for, body):
        me = make_user()
        Preference.objects.create(user=me, kind="*", channel="push", enabled=False)
        resp = client_for(me).put(self.url, body, format="json")
        assert resp.status_code == 400
        assert Preference.objects.filter(user=me).count() == 1  # unchanged

    def test_anonymous_refused(self):
        assert APIClient().get(self.url).status_code in (401, 403)
