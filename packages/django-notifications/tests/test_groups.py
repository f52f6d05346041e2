import pytest
from django.core.exceptions import ImproperlyConfigured

from django_notifications.groups import user_group


def test_default_group_name():
    assert user_group(42) == "notifications.user.42"


def test_prefix_hook_gets_scope_or_schema(settings):
    settings.NOTIFICATIONS_GROUP_PREFIX = "tests.hooks.group_prefix"
    assert user_group(7, schema_name="dealer_a") == "t.dealer_a.notifications.user.7"
    assert user_group(7, scope={"schema": "dealer_b"}) == "t.dealer_b.notifications.user.7"


def test_invalid_group_name_is_refused(settings):
    settings.NOTIFICATIONS_GROUP_PREFIX = "tests.hooks.bad_prefix"
    with pytest.raises(ImproperlyConfigured):
        user_group(7)
    settings.NOTIFICATIONS_GROUP_PREFIX = lambda **_: "x" * 90
    with pytest.raises(ImproperlyConfigured):
        user_group(7)


class TenantHooksTests:
    def test_connection_schema_name(self, monkeypatch):
        from django.db import connection

        from django_notifications.hooks import connection_schema_name

        assert connection_schema_name() == ""
        monkeypatch.setattr(connection, "schema_name", "dealer_a", raising=False)
        assert connection_schema_name() == "dealer_a"

    def test_schema_group_prefix_matches_on_both_sides(self, settings):
        from types import SimpleNamespace

        settings.NOTIFICATIONS_GROUP_PREFIX = "django_notifications.hooks.schema_group_prefix"
        consumer_side = user_group(5, scope={"tenant": SimpleNamespace(schema_name="dealer_a")})
        task_side = user_group(5, schema_name="dealer_a")
        assert consumer_side == task_side == "t.dealer_a.notifications.user.5"
        assert user_group(5, schema_name="") == "notifications.user.5"
