"""Traders: a user with a trading cash account in django-wallet."""
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from django_wallet import services as wallet

from .. import cache, conf


def trader_account(user):
    return wallet.account_for(user, purpose=conf.get("TRADING_ACCOUNT_PURPOSE"))


@transaction.atomic
def trader_fund(*, username: str, amount: Decimal, idempotency_key: str | None = None):
    """Get or create the user ``username`` and credit ``amount`` to their trading account.

    The money comes from the wallet system account TRADING_FUNDING_ACCOUNT ("topups").
    Returns ``(user, created)``. Permission is the caller's job (staff, or demo self-funding).
    """
    User = get_user_model()
    user, created = User._default_manager.get_or_create(**{User.USERNAME_FIELD: username})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    account = trader_account(user)
    if amount:
        wallet.deposit(account=account, amount=amount, source=conf.get("TRADING_FUNDING_ACCOUNT"),
                       memo=f"trading funds for {username}", metadata={"trading": "fund"},
                       idempotency_key=idempotency_key, idempotency_scope=f"trading.fund:{username}")
    transaction.on_commit(lambda: cache.bump(cache.trader(username)))
    return user, created
