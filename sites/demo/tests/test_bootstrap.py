"""manage.py bootstrap: the public tenant, the BASE_DOMAIN domain and a first platform admin, idempotently."""
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

ADMIN_ENV = {"BOOTSTRAP_ADMIN_USERNAME": "platform", "BOOTSTRAP_ADMIN_PASSWORD": "a-Strong-passw0rd-9",
             "BOOTSTRAP_ADMIN_EMAIL": "platform@example.com"}


def _bootstrap() -> str:
    out = StringIO()
    call_command("bootstrap", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_bootstrap_makes_the_base_domain_serve_and_creates_the_admin_once(monkeypatch, settings):
    from tenancy.models import Domain

    settings.BASE_DOMAIN = "forecourt.example"
    for name, value in ADMIN_ENV.items():
        monkeypatch.setenv(name, value)
    first = _bootstrap()
    assert "platform admin platform created" in first
    domain = Domain.objects.get(domain="forecourt.example")
    assert domain.tenant.schema_name == "public"
    admin = get_user_model().objects.get(username="platform")
    assert admin.is_staff and admin.is_superuser and admin.email == "platform@example.com"
    assert admin.check_password(ADMIN_ENV["BOOTSTRAP_ADMIN_PASSWORD"])

    admin.set_password("changed-by-the-admin-1")
    admin.save()
    second = _bootstrap()
    assert "platform admin platform exists; left unchanged" in second
    assert Domain.objects.filter(domain="forecourt.example").count() == 1
    assert get_user_model().objects.get(username="platform").check_password("changed-by-the-admin-1")


@pytest.mark.django_db
def test_bootstrap_without_admin_variables_creates_no_user(monkeypatch):
    for name in ADMIN_ENV:
        monkeypatch.delenv(name, raising=False)
    users = get_user_model().objects.count()
    assert "public tenant serves" in _bootstrap()
    assert get_user_model().objects.count() == users


@pytest.mark.django_db
@pytest.mark.parametrize("password, message", [("", "BOOTSTRAP_ADMIN_PASSWORD is empty"),
                                               ("short", "BOOTSTRAP_ADMIN_PASSWORD: This password is too short")])
def test_bootstrap_refuses_an_admin_without_a_good_password(monkeypatch, password, message):
    monkeypatch.setenv("BOOTSTRAP_ADMIN_USERNAME", "platform")
    monkeypatch.setenv("BOOTSTRAP_ADMIN_PASSWORD", password)
    with pytest.raises(CommandError, match=message):
        _bootstrap()
    assert not get_user_model().objects.filter(username="platform").exists()
