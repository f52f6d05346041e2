import pytest
from django.apps import apps
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    """Models and migrations agree (fails if a model change has no migration)."""
    call_command("makemigrations", "trading", "--check", "--dry-run", verbosity=0)


def test_app_label():
    assert apps.get_app_config("trading").name == "django_trading"
