import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from django_wallet import services as wallet
from tests import hooks

D = Decimal
NOV = dt.date(2026, 11, 1)


@pytest.fixture
def make_user(django_user_model):
    counter = {"n": 0}

    def make(*perms, **kwargs):
        counter["n"] += 1
        kwargs.setdefault("username", f"user{counter['n']}")
        user = django_user_model.objects.create_user(**kwargs)
        for perm in perms:
            app_label, codename = perm.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        return django_user_model.objects.get(pk=user.pk)  # fresh: no stale permission cache

    return make


@pytest.fixture
def client_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def business():
    return hooks.business_account()


@pytest.fixture
def paying_customer(make_user):
    """A user's wallet account holding ``amount``."""

    def make(amount="100000.00"):
        account = wallet.account_for(make_user())
        wallet.deposit(account=account, amount=D(amount))
        return account

    return make
