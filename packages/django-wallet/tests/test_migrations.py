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


@pytest.mark.django_db(transaction=True)
def test_the_charge_sale_function_of_0015_reverts_to_0011s():
    """0015 replaces wallet_charge_sale's body only; its reverse restores 0011's."""
    from django.db import connection

    def body():
        with connection.cursor() as cur:
            cur.execute("SELECT prosrc FROM pg_proc WHERE proname = 'wallet_charge_sale'")
            [(source,)] = cur.fetchall()
        return source

    latest = body()
    assert "jsonb_agg" not in latest
    try:
        call_command("migrate", "wallet", "0014", verbosity=0)
        assert "jsonb_agg" in body()
    finally:
        call_command("migrate", "wallet", verbosity=0)
    assert body() == latest


@pytest.mark.django_db(transaction=True)
def test_the_post_function_of_0016_reverts_to_0012s():
    """0016 replaces wallet_post's body only (its settings kept); its reverse restores 0012's."""
    from django.db import connection

    def body():
        with connection.cursor() as cur:
            cur.execute("SELECT prosrc, proconfig FROM pg_proc WHERE proname = 'wallet_post'")
            [row] = cur.fetchall()
        return row

    latest = body()
    assert "FOR NO KEY UPDATE" in latest[0]
    try:
        call_command("migrate", "wallet", "0015", verbosity=0)
        assert "ORDER BY a.id FOR UPDATE" in body()[0] and body()[1] == latest[1]
    finally:
        call_command("migrate", "wallet", verbosity=0)
    assert body() == latest
