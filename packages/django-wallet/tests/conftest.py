from decimal import Decimal

import pytest
from django.db import connection

from django_wallet import services

pytest_plugins = ["forecourt_core.testing.fixtures"]  # make_user, client_for


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


@pytest.fixture
def preparing(db):
    """The test's connection allows prepared statements, as a site's may (Django's default is none)."""
    connection.ensure_connection()
    raw = connection.connection
    threshold, raw.prepare_threshold = raw.prepare_threshold, 5
    yield
    raw.prepare_threshold = threshold
