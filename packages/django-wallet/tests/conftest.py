from decimal import Decimal

import pytest

from django_wallet import services


@pytest.fixture
def make_user(django_user_model):
    counter = {"n": 0}

    def make(**kwargs):
        counter["n"] += 1
        kwargs.setdefault("username", f"user{counter['n']}")
        return django_user_model.objects.create_user(**kwargs)

    return make


@pytest.fixture
def funded(make_user):
    """An account of a fresh user with ``amount`` deposited."""

    def make(amount="100.00", **kwargs):
        account = services.account_for(make_user(**kwargs))
        if Decimal(amount):
            services.deposit(account=account, amount=Decimal(amount))
        account.refresh_from_db()
        return account

    return make
