import datetime as dt
from decimal import Decimal

import pytest

from django_wallet import services as wallet
from tests import hooks

pytest_plugins = ["forecourt_core.testing.fixtures"]  # make_user, client_for

D = Decimal
NOV = dt.date(2026, 11, 1)


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
