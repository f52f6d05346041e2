"""Traders: a user with a trading cash account in django-wallet.

Money reaches a trading account in three ways only, each a balanced wallet transaction: the trader moves it
from their own funded wallet account (``trader_deposit``, keyed), staff top it up (``trader_fund``, from the
TRADING_FUNDING_ACCOUNT system account, recorded with who did it), or, in a demo with
TRADING_ALLOW_SELF_FUNDING on, a new trader is created with a balance of their choosing.
"""
from decimal import Decimal

from django.contrib.auth import get_user_model, password_validation
from django.db import IntegrityError, transaction

from django_wallet import conf as wallet_conf
from django_wallet import selectors as wallet_selectors
from django_wallet import services as wallet
from django_wallet.errors import IdempotencyConflict

from .. import cache, conf
from ..errors import TraderExists


def trader_account(user):
    return wallet.account_for(user, purpose=conf.get("TRADING_ACCOUNT_PURPOSE"))


@transaction.atomic
def trader_create(*, username: str, password: str | None = None, balance: Decimal = Decimal(0), funded_by=None,
                  idempotency_key: str | None = None):
    """Create the user ``username`` with its trading account, once: an existing username (any case) is
    TraderExists. ``password`` (checked by AUTH_PASSWORD_VALIDATORS) lets the trader sign in; without one
    the user has no usable password. A ``balance`` is credited by ``trader_fund`` on behalf of
    ``funded_by`` (staff; None: the demo's self-funding, which the caller must have allowed)."""
    User = get_user_model()
    manager = User._default_manager
    if manager.filter(**{f"{User.USERNAME_FIELD}__iexact": username}).exists():
        return _replayed_create(username=username, balance=balance, idempotency_key=idempotency_key)
    user = User(**{User.USERNAME_FIELD: username})
    if password:
        password_validation.validate_password(password, user)
    user.set_password(password) if password else user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError:  # a concurrent create of the same username committed first (with its top-up)
        return _replayed_create(username=username, balance=balance, idempotency_key=idempotency_key)
    trader_account(user)
    if balance:
        trader_fund(username=username, amount=balance, by=funded_by, idempotency_key=idempotency_key)
    return user


def _replayed_create(*, username: str, balance: Decimal, idempotency_key: str | None):
    """The trader an earlier create with this key and balance made (a client's retry), else TraderExists.

    The earlier create's top-up was posted under the key, so finding it proves the retry; another balance
    under the same key is IdempotencyConflict. A create without a top-up has nothing to replay.
    """
    funded = None
    if balance and idempotency_key is not None:
        funded = wallet_selectors.keyed_transaction(scope=_fund_scope(username), key=idempotency_key)
    if funded is None:
        raise TraderExists()
    if funded.metadata.get("amount") != str(balance):
        raise IdempotencyConflict()
    User = get_user_model()
    return User._default_manager.get(**{User.USERNAME_FIELD: username})


def _fund_scope(username: str) -> str:
    return f"trading.fund:{username}"


@transaction.atomic
def trader_fund(*, username: str, amount: Decimal, by=None, idempotency_key: str | None = None):
    """A top-up: get or create the user ``username`` and credit ``amount`` to their trading account from the
    wallet system account TRADING_FUNDING_ACCOUNT ("topups"); ``by`` (the staff user) is recorded in the
    transaction's metadata. Returns ``(user, created)``. Permission is the caller's job."""
    User = get_user_model()
    user, created = User._default_manager.get_or_create(**{User.USERNAME_FIELD: username})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    account = trader_account(user)
    if amount:
        wallet.deposit(account=account, amount=amount, source=conf.get("TRADING_FUNDING_ACCOUNT"),
                       memo=f"trading funds for {username}",
                       metadata={"trading": "fund", "by": by.pk if by is not None else "self-funding",
                                 "amount": str(amount)},
                       idempotency_key=idempotency_key, idempotency_scope=_fund_scope(username))
    cache.bump_on_commit(cache.trader(username))
    return user, created


@transaction.atomic
def trader_deposit(*, user, amount: Decimal, idempotency_key: str):
    """Move ``amount`` from the user's own wallet account (WALLET_USER_PURPOSE) to their trading account: one
    balanced, keyed wallet transfer (insufficient_funds when the wallet cannot pay)."""
    txn = wallet.transfer(source=wallet.account_for(user, purpose=wallet_conf.get("WALLET_USER_PURPOSE")),
                          destination=trader_account(user), amount=amount, kind="trading_deposit",
                          memo="to my trading account", metadata={"trading": "deposit"},
                          idempotency_key=idempotency_key, idempotency_scope=f"trading.deposit:{user.pk}")
    username = user.get_username()
    cache.bump_on_commit(cache.trader(username))
    return txn


@transaction.atomic
def trader_withdraw(*, user, amount: Decimal, idempotency_key: str):
    """Move ``amount`` from the user's trading account back to their own wallet account: one balanced, keyed
    wallet transfer (insufficient_funds when the free trading cash, net of resting buys' holds, is short)."""
    txn = wallet.transfer(source=trader_account(user),
                          destination=wallet.account_for(user, purpose=wallet_conf.get("WALLET_USER_PURPOSE")),
                          amount=amount, kind="trading_withdrawal", memo="from my trading account",
                          metadata={"trading": "withdrawal"}, idempotency_key=idempotency_key,
                          idempotency_scope=f"trading.withdraw:{user.pk}")
    username = user.get_username()
    cache.bump_on_commit(cache.trader(username))
    return txn
