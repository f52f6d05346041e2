import pytest
from django.apps import apps
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    """Models and migrations agree (fails if a model change has no migration)."""
    call_command("makemigrations", "wallet", "--check", "--dry-run", verbosity=0)


def test_app_label():
    assert apps.get_app_config("wallet").name == "django_wallet"


@pytest.mark.django_db
def test_wallet_post_keeps_its_planner_settings():
    """Migrations 0009 and 0010's settings: a migration recreating wallet_post must set them again."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT proconfig FROM pg_proc WHERE proname = 'wallet_post'")
        [(config,)] = cur.fetchall()
    assert sorted(config) == ["enable_seqscan=off", "plan_cache_mode=force_generic_plan"]
