"""car_listing settings, read at call time (never cached at import) so tests and sites can override them.

The four store hooks let a site (e.g. on django-tenants) place cars in several "stores" without this
package ever importing the tenancy library. A store is named by a string key; "" is the default/public
store (private sellers and the marketplace ListingIndex).
"""
import contextlib
from decimal import Decimal

from forecourt_core.conf import PackageSettings

DEFAULTS = {
    # Dotted path to a zero-argument callable returning the current store key ("" = public store).
    "CAR_LISTING_CURRENT_STORE": None,
    # Dotted path to callable(store_key) -> context manager that makes ORM queries hit that store.
    "CAR_LISTING_STORE_CONTEXT": None,
    # Dotted path to callable(store_key) -> wallet Account paid for (and paying for) store cars.
    "CAR_LISTING_STORE_ACCOUNT": None,
    # Dotted path to callable(owner, store_key) -> (owner's wallet Account, CAR_LISTING_STORE_ACCOUNT's), in
    # one read: a store purchase's two accounts, paying then paid. Unset: the two read one after the other.
    "CAR_LISTING_STORE_ACCOUNT_WITH": None,
    # Dotted path to callable(store_key) -> display name of the store.
    "CAR_LISTING_STORE_NAME": None,
    # Dotted path to callable(*, store_key, car_id, since) -> int: leads for a car (analytics).
    "CAR_LISTING_LEAD_COUNTER": None,
    # Only verified cars can be bought and appear in the marketplace.
    "CAR_LISTING_REQUIRE_VERIFICATION": True,
    # Featuring fee per day, paid to the wallet system account below.
    "CAR_LISTING_FEATURE_FEE_PER_DAY": Decimal("5.00"),
    "CAR_LISTING_FEATURE_FEE_ACCOUNT": "fees",
    "CAR_LISTING_FEATURE_MAX_DAYS": 90,
    # Images: accepted Pillow formats, max upload bytes, max width/height, thumbnail box.
    "CAR_LISTING_IMAGE_FORMATS": ("JPEG", "PNG", "WEBP"),
    "CAR_LISTING_IMAGE_MAX_BYTES": 10 * 1024 * 1024,
    "CAR_LISTING_IMAGE_MAX_DIMENSION": 8000,
    "CAR_LISTING_IMAGE_MAX_PIXELS": 40_000_000,
    "CAR_LISTING_THUMBNAIL_SIZE": (480, 360),
    "CAR_LISTING_MAX_IMAGES": 30,
    # Marketplace counts stop here (None: exact counts); past it the search's `count` is null.
    "CAR_LISTING_SEARCH_COUNT_CAP": 1_000,
    # Cache alias for marketplace facets; one copy for every store (on django-tenants: an alias without the
    # tenant key function). Entries are invalidated by any index write; the TTL only bounds their memory.
    "CAR_LISTING_CACHE_ALIAS": "default",
    "CAR_LISTING_CACHE_TTL": 600,
    # PostgreSQL text search configuration for the marketplace full-text filter.
    "CAR_LISTING_SEARCH_CONFIG": "simple",
}


package_settings = PackageSettings(DEFAULTS)
get = package_settings.get
_hook = package_settings.hook


def current_store() -> str:
    fn = _hook("CAR_LISTING_CURRENT_STORE")
    return (fn() if fn else "") or ""


def store_context(store_key: str):
    fn = _hook("CAR_LISTING_STORE_CONTEXT")
    return fn(store_key) if fn else contextlib.nullcontext()


def public_context():
    return store_context("")


def store_account(store_key: str):
    fn = _hook("CAR_LISTING_STORE_ACCOUNT")
    if fn:
        return fn(store_key)
    from django_wallet import services as wallet

    return wallet.system_account("business")


def store_account_with(owner, store_key: str) -> tuple:
    """``(the wallet account of owner, store_account(store_key))``, paying then paid, read together where the
    site can."""
    fn = _hook("CAR_LISTING_STORE_ACCOUNT_WITH")
    if fn:
        return fn(owner, store_key)
    from django_wallet import services as wallet

    return wallet.account_for(owner), store_account(store_key)


def store_name(store_key: str) -> str:
    fn = _hook("CAR_LISTING_STORE_NAME")
    if fn:
        return fn(store_key)
    return store_key or "Private sellers"


def lead_count(*, store_key: str, car_id: int, since) -> int:
    fn = _hook("CAR_LISTING_LEAD_COUNTER")
    return int(fn(store_key=store_key, car_id=car_id, since=since)) if fn else 0
