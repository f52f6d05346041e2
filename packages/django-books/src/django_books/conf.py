"""BOOKS_* settings on the kernel's ``PackageSettings``: read at call time, hooks named by dotted paths."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from forecourt_core.conf import PackageSettings

package_settings = PackageSettings(
    {"BOOKS_DEFAULT_VAT_RATE": "20.00"},  # percent a new business starts with
    hooks={
        # () -> {"legal_name": ..., "address": ...}: the books profile's fields when it is first created
        "BOOKS_PROFILE_DEFAULTS": "django_books.conf.no_profile_defaults",
        # () -> the django-wallet Account the books' wallet account mirrors
        "BOOKS_WALLET_ACCOUNT": "django_books.conf.default_wallet_account",
        # (days=None) -> dict of what it booked, run by the books.reconcile task
        "BOOKS_RECONCILER": "django_books.conf.nothing_to_reconcile",
    },
)


def default_vat_rate() -> Decimal:
    """The VAT rate (percent) a new business starts with (setting BOOKS_DEFAULT_VAT_RATE, default 20)."""
    return Decimal(str(package_settings.get("BOOKS_DEFAULT_VAT_RATE")))


def profile_defaults() -> dict:
    return dict(package_settings.hook("BOOKS_PROFILE_DEFAULTS")())


def wallet_account():
    """Default: the "business" system account of django-wallet."""
    return package_settings.hook("BOOKS_WALLET_ACCOUNT")()


def reconciler() -> Callable[..., dict]:
    """A project books there, through the keyed services, whatever its postings missed; default nothing."""
    return package_settings.hook("BOOKS_RECONCILER")


def no_profile_defaults() -> dict:
    return {}


def default_wallet_account():
    from django_wallet import services

    return services.system_account("business")


def nothing_to_reconcile(days: int | None = None) -> dict:  # noqa: ARG001 - the hook's signature
    return {}
