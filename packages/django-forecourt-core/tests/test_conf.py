import pytest
from django.test import override_settings

from forecourt_core.conf import PackageSettings


def account():
    return "business-account"


def other_account():
    return "other-account"


@pytest.fixture
def conf():
    return PackageSettings({"DEMO_PAGE_SIZE": 50, "DEMO_REGION": None},
                           hooks={"DEMO_ACCOUNT": f"{__name__}.account", "DEMO_OPTIONAL": None})


def test_defaults_then_the_project_setting_seen_at_once_when_changed(conf):
    assert conf.get("DEMO_PAGE_SIZE") == 50
    with override_settings(DEMO_PAGE_SIZE=20):
        assert conf.get("DEMO_PAGE_SIZE") == 20
    assert conf.get("DEMO_PAGE_SIZE") == 50


def test_a_deleted_setting_falls_back_to_its_default(conf, settings):
    settings.DEMO_PAGE_SIZE = 20
    assert conf.get("DEMO_PAGE_SIZE") == 20
    del settings.DEMO_PAGE_SIZE  # pytest-django sends no setting_changed for a deletion
    assert conf.get("DEMO_PAGE_SIZE") == 50


def test_hooks_are_import_strings_or_callables(conf, settings):
    assert conf.hook("DEMO_ACCOUNT")() == "business-account"
    assert conf.hook("DEMO_OPTIONAL") is None
    settings.DEMO_ACCOUNT = f"{__name__}.other_account"
    assert conf.hook("DEMO_ACCOUNT")() == "other-account"
    settings.DEMO_OPTIONAL = account
    assert conf.hook("DEMO_OPTIONAL") is account


def test_an_undeclared_setting_is_a_bug(conf):
    with pytest.raises(KeyError):
        conf.get("DEMO_NOT_DECLARED")
