from django.apps import AppConfig


class TestingConfig(AppConfig):
    """The test user model's app; installed by ``package_test_settings``, never by a site."""

    name = "forecourt_core.testing"
    label = "testapp"
    verbose_name = "Test users"
    default_auto_field = "django.db.models.AutoField"
