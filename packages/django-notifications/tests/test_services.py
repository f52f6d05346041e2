import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings

from django_notifications import services
from django_notifications.errors import InvalidNotification, InvalidPreference, NotificationNotFound
from django_notifications.models import Notification, OutboxMessage, Preference
from tests import hooks

pytestmark = pytest.mark.django_db


class NotifyTests:
    def test_writes_inbox_row_and_one_outbox_row_per_default_channel(self, make_user):
        user = make_user()
        note = services.notify(recipient=user, kind="car.purchased", title="Sold", body="Your car sold",
                               link="/cars/1/", data={"price": Decimal("12500.00")})
        assert Notification.objects.get(pk=note.pk).data == {"price": "12500.00"}
        rows = {r.channel: r for r in OutboxMessage.objects.filter(notification=note)}
        assert set(rows) == {"email", "push"}
        assert all(r.status == "pending" for r in rows.values())
        assert rows["email"].payload["to"] == user.email
        assert rows["email"].payload["body"] == "Your car sold\n\n/cars/1/"
        assert rows["push"].payload["notification"]["id"] == note.pk
        assert rows["push"].payload["recipient_id"] == user.pk

    def test_kind_preference_beats_star_preference_beats_setting(self, make_user):
        user = make_user()
        Preference.objects.create(user=user, kind="*", channel="email", enabled=False)
        Preference.objects.create(user=user, kind="lead.assigned", channel="email", enabled=True)
        Preference.objects.create(user=user, kind="*", channel="push", enabled=False)
        services.notify(recipient=user, kind="lead.assigned", title="Lead")
        services.notify(recipient=user, kind="car.posted", title="Car")
        channels = sorted(OutboxMessage.objects.values_list("notification__kind", "channel"))
        assert channels == [("lead.assigned", "email")]

    @override_settings(NOTIFICATIONS_DEFAULT_CHANNELS={"*": ["inbox"], "payroll.paid": ["inbox", "email"]})
    def test_default_channels_setting_per_kind(self, make_user):
        user = make_user()
        services.notify(recipient=user, kind="car.posted", title="Car")
        services.notify(recipient=user, kind="payroll.paid", title="Paid")
        assert list(OutboxMessage.objects.values_list("channel", flat=True)) == ["email"]

    def test_inbox_disabled_still_delivers_other_channels(self, make_user):
        user = make_user()
        Preference.objects.create(user=user, kind="*", channel="inbox", enabled=False)
        note = services.notify(recipient=user, kind="car.posted", title="Car")
        assert note.pk is None and not Notification.objects.exists()
        assert OutboxMessage.objects.filter(notification=None).count() == 2

    def test_user_without_email_gets_no_email_row(self, make_user):
        user = make_user(email="")
        services.notify(recipient=user, kind="car.posted", title="Car")
        assert list(OutboxMessage.objects.values_list("channel", flat=True)) == ["push"]

    def test_push_row_carries_the_group_the_hook_chose_when_it_was_written(self, make_user, monkeypatch):
        user = make_user()
        monkeypatch.setitem(hooks.current, "schema", "dealer_a")
        with override_settings(NOTIFICATIONS_GROUP_PREFIX="tests.hooks.group_prefix"):
            services.notify(recipient=user, kind="lead.assigned", title="Lead")
        push = OutboxMessage.objects.get(channel="push")
        assert push.payload["group"] == f"t.dealer_a.notifications.user.{user.pk}"

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
        assert OutboxMessage.objects.filter(channel="email").count() == 2
        # Another event (or none) notifies the same user again.
        assert services.notify(recipient=first, kind="car.sold", title="Sold", event_id=uuid.uuid4()).pk
        assert services.notify(recipient=first, kind="car.sold", title="Sold").pk

    def test_the_database_refuses_a_second_notification_for_one_event_and_recipient(self, make_user):
        user, event_id = make_user(), uuid.uuid4()
        Notification.objects.create(recipient=user, kind="k", title="t", source_event=event_id)
        with pytest.raises(IntegrityError), transaction.atomic():
            Notification.objects.create(recipient=user, kind="k", title="t", source_event=event_id)

    def test_notify_many_bounded_queries(self, make_user, django_assert_max_num_queries):
        users = [make_user() for _ in range(30)]
        with django_assert_max_num_queries(5):
            notes = services.notify_many(recipients=users, kind="car.posted", title="New car")
        assert len(notes) == 30 and OutboxMessage.objects.count() == 60

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
        assert not Notification.objects.exists() and not OutboxMessage.objects.exists()


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


class OutboxPurgeTests:
    def test_deletes_only_old_delivered_rows(self, make_user, settings):
        from datetime import timedelta

        from django.utils import timezone

        settings.NOTIFICATIONS_DEFAULT_CHANNELS = {"*": ["inbox", "email"]}
        for _ in range(3):
            services.notify(recipient=make_user(), kind="k", title="t")
        old_delivered, fresh_delivered, old_pending = OutboxMessage.objects.order_by("created_at")
        long_ago = timezone.now() - timedelta(days=8)
        OutboxMessage.objects.filter(pk=old_delivered.pk).update(status="delivered", delivered_at=long_ago)
        OutboxMessage.objects.filter(pk=fresh_delivered.pk).update(status="delivered", delivered_at=timezone.now())
        OutboxMessage.objects.filter(pk=old_pending.pk).update(created_at=long_ago)
        assert services.outbox_purge() == 1
        assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {fresh_delivered.pk, old_pending.pk}
        assert Notification.objects.count() == 3
