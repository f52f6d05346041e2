import itertools
import random
import uuid
from decimal import Decimal

import pytest
from django.core.cache import caches

from django_car_listing import services
from django_car_listing.validators import vin_check_digit
from django_wallet import selectors as wallet_selectors
from django_wallet import services as wallet
from django_wallet.testing import with_idempotency_key
from forecourt_core.testing.helpers import grant
from tests import stores

pytest_plugins = ["forecourt_core.testing.fixtures"]  # client_for

_ALNUM = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"

_n = itertools.count(1)


def pytest_configure(config):
    from django_wallet.testing import allow_truncate_in_flush

    allow_truncate_in_flush()


def make_vin(rng=random) -> str:
    body = [rng.choice(_ALNUM) for _ in range(17)]
    body[8] = "0"
    vin = "".join(body)
    return vin[:8] + vin_check_digit(vin) + vin[9:]


@pytest.fixture(autouse=True)
def _reset_store(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    stores.set_current_store("")
    stores.LEADS.clear()
    yield
    stores.set_current_store("")


@pytest.fixture
def store():
    """Switch the current store: store("dealer1")."""
    return stores.set_current_store


@pytest.fixture
def make_user(django_user_model):
    def make(*, perms=(), **kwargs):
        n = next(_n)
        kwargs.setdefault("username", f"user{n}")
        kwargs.setdefault("email", f"user{n}@example.test")
        return grant(django_user_model.objects.create_user(**kwargs), *perms)

    return make


@pytest.fixture
def staff(make_user):
    return make_user(is_staff=True)


@pytest.fixture
def fund():
    def do(user, amount):
        wallet.deposit(account=wallet.account_for(user), amount=Decimal(amount))

    return do


def balance(user_or_account) -> Decimal:
    account = user_or_account if hasattr(user_or_account, "allow_overdraft") else wallet.account_for(user_or_account)
    return wallet_selectors.balance(account)


@pytest.fixture
def car_data():
    def make(**kw):
        data = {"make": "Toyota", "model": "Corolla", "year": 2019, "price": Decimal("1000.00"), "vin": make_vin(),
                "body_type": "sedan", "fuel": "petrol", "transmission": "automatic", "description": "Clean car"}
        data.update(kw)
        return data

    return make


@pytest.fixture
def listed_car(car_data, staff):
    """A verified car for sale: of ``owner`` in the public store, or of ``store_key``'s inventory."""

    def make(owner=None, *, store_key="", manager=None, verify=True, **kw):
        actor = owner if not store_key else manager
        car = services.car_create(actor=actor, store_key=store_key, **car_data(**kw))
        if verify:
            services.car_verify(actor=staff, store_key=store_key, car_id=car.pk)
        return services.car_put_on_sale(actor=actor, store_key=store_key, car_id=car.pk)

    return make


@pytest.fixture
def bought_store_car(make_user, fund, listed_car, store):
    """A buyer who bought dealer1's car: (buyer, the buyer's new public car, its car_purchased event),
    with the event not yet handled."""
    from forecourt_core.events.models import Event

    buyer = make_user()
    fund(buyer, "3000.00")
    store("dealer1")
    car = listed_car(store_key="dealer1", manager=make_user(perms=["car_listing.add_car", "car_listing.change_car"]),
                     price=Decimal("2500.00"))
    store("")
    wallet.system_account("store:dealer1")
    mine = services.car_buy(buyer=buyer, store_key="dealer1", car_id=car.pk).car
    return buyer, mine, Event.objects.get(kind="car_listing.car_purchased")


@pytest.fixture
def api(client_for):
    # money-moving POSTs need a key; tests without it build their own client
    return lambda user=None: with_idempotency_key(client_for(user))


@pytest.fixture
def redis_cache(settings):
    """A Redis cache with a key prefix of its own, so no other test (or run) shares an entry."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": settings.REDIS_URL, "KEY_PREFIX": f"cl-cache-{uuid.uuid4().hex}"}}
    yield caches["default"]
