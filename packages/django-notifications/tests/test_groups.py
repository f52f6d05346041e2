import pytest
from django.core.exceptions import ImproperlyConfigured

from django_notifications.groups import user_group
from tests import hooks


def test_default_group_name():
    assert user_group(42) == "notifications.user.42"


def test_prefix_hook_gets_the_scope_or_reads_the_current_context(settings, monkeypatch):
    settings.NOTIFICATIONS_GROUP_PREFIX = "tests.hooks.group_prefix"
    monkeypatch.setitem(hooks.current, "schema", "dealer_a")
    assert user_group(7) == "t.dealer_a.notifications.user.7"
    assert user_group(7, scope={"schema": "dealer_b"}) == "t.dealer_b.notifications.user.7"


def test_invalid_group_name_is_refused(settings):
    settings.NOTIFICATIONS_GROUP_PREFIX = "tests.hooks.bad_prefix"
    with pytest.raises(ImproperlyConfigured):
        user_group(7)
    settings.NOTIFICATIONS_GROUP_PREFIX = lambda **_: "x" * 90
    with pytest.raises(ImproperlyConfigured):
        user_group(7)
