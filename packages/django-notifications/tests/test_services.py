import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings

from django_notifications import services
from django_notifications.errors import InvalidNotification, InvalidPreference, NotificationNotFound
from django_notifications.models import Notification, Preference
from tests import hooks
from tests.conftest import deliveries

pytestmark = pytest.mark.django_db


class NotifyTests:
    def test_writes_inbox_row_and_one_delivery_event_per_default_channel(self, make_user):
        user = make_user()
        note = services.notify(recipient=user, kind="car.purchased", title="Sold", body="Your car sold",
                               link="/cars/1/", data={"price": Decimal("12500.00")})
        assert Notification.objects.get(pk=note.pk).data == {"price": "12500.00"}
        events = {e.kind: e for e in deliveries()}
        assert set(events) == {"notifications.email_due", "notifications.push_due"}
        assert all(e.status == "pending" and e.key == "" for e in events.values())  # no announced event: no key
        email, push = events["notifications.email_due"].data, events["notifications.push_due"].data
        assert (email["to"], email["notification_id"], email["kind"]) == (user.email, note.pk, "car.purchased")
        assert email["body"] == "Your car sold\n\n/cars/1/"
        assert push["notification"]["id"] == note.pk
        assert push["recipient_id"] == user.pk

    def test_kind_preference_beats_star_preference_beats_setting(self, make_user):
        user = make_user()
        Preference.objects.create(user=user, kind="*", channel="email", enabled=False)
        Preference.objects.create(user=user, kind="lead.assigned", channel="email", enabled=True)
        Preference.objects.create(user=user, kind="*", channel="push", enabled=False)
        services.notify(recipient=user, kind="lead.assigned", title="Lead")
        services.notify(recipient=user, kind="car.posted", title="Car")
        assert [(e.data["kind"], e.kind) for e in deliveries()] == [("lead.assigned", "notifications.email_due")]

    @override_settings(NOTIFICATIONS_DEFAULT_CHANNELS={"*": ["inbox"], "payroll.paid": ["inbox", "email"]})
    def test_default_channels_setting_per_kind(self, make_user):
        user = make_user()
        services.notify(recipient=user, kind="car.posted", title="Car")
        services.notify(recipient=user, kind="payroll.paid", title="Paid")
        assert [e.kind for e in deliveries()] == ["notifications.email_due"]

    def test_inbox_disabled_still_delivers_other_channels(self, make_user):
        user = make_user()
        Preference.objects.create(user=user, kind="*", channel="inbox", enabled=False)
        note = services.notify(recipient=user, kind="car.posted", title="Car")
        assert note.pk is None and not Notification.objects.exists()
        assert len(deliveries()) == 2 and deliveries("email")[0].data["notification_id"] is None

    def test_user_without_email_gets_no_email_row(self, make_user):
        user = make_user(email="")
        services.notify(recipient=user, kind="car.posted", title="Car")
        assert [e.kind for e in deliveries()] == ["notifications.push_due"]

    def test_push_row_carries_the_group_the_hook_chose_when_it_was_written(self, make_user, monkeypatch):
        user = make_user()
        monkeypatch.setitem(hooks.current, "schema", "dealer_a")
        with override_settings(NOTIFICATIONS_GROUP_PREFIX="tests.hooks.group_prefix"):
            services.notify(recipient=user, kind="lead.assigned", title="Lead")
        (push,) = deliveries("push")
        assert push.data["group"] == f"t.dealer_a.notifications.user.{user.pk}"

    def test_one_notification_per_event_and_recipient(self, make_user):
        first, second = make_user(), make_user()
        event_id = uuid.uuid4()
        notes = services.notify_many(recipients=[first], kind="car.sold", title="Sold", event_id=event_id)
        assert [n.source_event for n in notes] == [event_id]
        # The same event again (a handler run twice): only the user not yet told of it is notified.
        again = services.notify_many(recipients=[first, second], kind="car.sold", title="Sold", event_id=event_id)
        assert [n.recipient_id for n in again] == [second.pk]
        assert services.notify(recipient=first, kind="car.sold", title="Sold", event_id=event_id) is None
        assert Notification.objects.filter(source_event=event_id).count() == 2
        keys = sorted(e.key for e in deliveries("email"))
        assert keys == sorted(f"notifications.email:{event_id}:{u.pk}" for u in [first, second])
        # Another event (or none) notifies the same user again.
        assert services.notify(recipient=first, kind="car.sold", title="Sold", event_id=uuid.uuid4()).pk
        assert services.notify(recipient=first, kind="car.sold", title="Sold").pk

    def test_with_the_inbox_off_the_key_still_makes_one_delivery_per_event_and_recipient(self, make_user):
        user, event_id = make_user(), uuid.uuid4()
        Preference.objects.create(user=user, kind="*", channel="inbox", enabled=False)
        for _ in range(2):  # no inbox row to tell the second call the user was notified: the key does
            services.notify(recipient=user, kind="car.sold", title="Sold", event_id=event_id)
        assert not Notification.objects.exists()
        assert [e.key for e in deliveries("email")] == [f"notifications.email:{event_id}:{user.pk}"]
        assert [e.key for e in deliveries("push")] == [f"notifications.push:{event_id}:{user.pk}"]

    def test_the_database_refuses_a_second_notification_for_one_event_and_recipient(self, make_user):
        user, event_id = make_user(), uuid.uuid4()
        Notification.objects.create(recipient=user, kind="k", title="t", source_event=event_id)
        with pytest.raises(IntegrityError), transaction.atomic():
            Notification.objects.create(recipient=user, kind="k", title="t", source_event=event_id)

    def test_notify_many_bounded_queries(self, make_user, django_assert_max_num_queries):
        users = [make_user() for _ in range(30)]
        # Preferences, a savepoint, the inbox rows, the e-mail events, the push events, the release.
        with django_assert_max_num_queries(6):
            notes = services.notify_many(recipients=users, kind="car.posted", title="New car")
        assert len(notes) == 30 and len(deliveries()) == 60

    @pytest.mark.parametrize(
        "kwargs",
        [{"kind": "", "title": "x"}, {"kind": "bad kind", "title": "x"}, {"kind": "*", "title": "x"},
         {"kind": "k", "title": " "}, {"kind": "k", "title": "x" * 201}, {"kind": "k", "title": "x", "link": "l" * 501},
         {"kind": "k", "title": "x", "data": [1]}, {"kind": "k", "title": "x", "body": None},
         {"kind": "k", "title": "x", "data": {"o": object()}}],
    )
    def test_invalid_input_is_a_domain_error(self, make_user, kwargs):
        with pytest.raises(InvalidNotification) as exc:
            services.notify(recipient=make_user(), **kwargs)
        assert exc.value.code == "invalid_notification" and exc.value.status == 400
        assert not Notification.objects.exists() and not deliveries()


class MarkReadTests:
    def test_mark_read_is_idempotent_and_keeps_first_timestamp(self, make_user):
        user = make_user()
        note = services.notify(recipient=user, kind="k", title="t")
        first = services.mark_read(user=user, notification_id=note.pk).read_at
        again = services.mark_read(user=user, notification_id=note.pk).read_at
        assert first is not None and again == first

    def test_someone_elses_notification_is_not_found(self, make_user):
        owner, other = make_user(), make_user()
        note = services.notify(recipient=owner, kind="k", title="t")
        with pytest.raises(NotificationNotFound):
            services.mark_read(user=other, notification_id=note.pk)
        note.refresh_from_db()
        assert note.read_at is None

    def test_mark_all_read_touches_only_the_users_unread(self, make_user):
        a, b = make_user(), make_user()
        for _ in range(3):
            services.notify(recipient=a, kind="k", title="t")
        services.notify(recipient=b, kind="k", title="t")
        assert services.mark_all_read(user=a) == 3
        assert services.mark_all_read(user=a) == 0
        assert Notification.objects.filter(recipient=b, read_at__isnull=True).count() == 1


class PreferencesSetTests:
    def test_replaces_the_users_preferences(self, make_user):
        user = make_user()
        services.preferences_set(user=user, items=[{"kind": "*", "channel": "email", "enabled": False}])
        services.preferences_set(user=user, items=[{"kind": "lead.assigned", "channel": "push", "enabled": False}])
        assert list(Preference.objects.filter(user=user).values_list("kind", "channel", "enabled")) == [
            ("lead.assigned", "push", False)
        ]

    @pytest.mark.parametrize(
        "items",
        [[{"kind": "*", "channel": "sms", "enabled": True}], [{"kind": "a b", "channel": "email", "enabled": True}],
         [{"kind": "k", "channel": "email", "enabled": "yes"}],
         [{"kind": "k", "channel": "email", "enabled": True}, {"kind": "k", "channel": "email", "enabled": False}]],
    )
    def test_invalid_items_rejected(self, make_user, items):
        with pytest.raises(InvalidPreference):
            services.preferences_set(user=make_user(), items=items)
