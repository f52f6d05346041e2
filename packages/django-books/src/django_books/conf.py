"""BOOKS_* settings, read at call time (never at import) so tests and tenants can override them."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


def _hook(name: str, default: str) -> Callable[..., Any]:
    value = getattr(settings, name, None) or default
    return import_string(value) if isinstance(value, str) else value


def default_vat_rate() -> Decimal:
    """The VAT rate (percent) a new business starts with (setting BOOKS_DEFAULT_VAT_RATE, default 20)."""
    return Decimal(str(getattr(settings, "BOOKS_DEFAULT_VAT_RATE", "20.00")))


def profile_defaults() -> dict:
    """Field values of the books profile when it is first created (setting BOOKS_PROFILE_DEFAULTS:
    dotted path to a 0-arg callable returning a dict such as {"legal_name": ...})."""
    return dict(_hook("BOOKS_PROFILE_DEFAULTS", "django_books.conf.no_profile_defaults")())


def wallet_account():
    """The wallet account the books' wallet account mirrors (setting BOOKS_WALLET_ACCOUNT: dotted path
    to a 0-arg callable returning a django-wallet Account; default the "business" system account)."""
    return _hook("BOOKS_WALLET_ACCOUNT", "django_books.conf.default_wallet_account")()


def no_profile_defaults() -> dict:
    return {}


def default_wallet_account():
    from django_wallet import services

    return services.system_account("business")


def reconciler() -> Callable[..., dict]:
    """callable(days=None) -> dict of what it booked, run by the ``books.reconcile`` task (setting
    BOOKS_RECONCILER; default books nothing). A project books there whatever its on-commit postings
    may have lost, through the keyed services."""
    return _hook("BOOKS_RECONCILER", "django_books.conf.nothing_to_reconcile")


def nothing_to_reconcile(days: int | None = None) -> dict:  # noqa: ARG001 - the hook's signature
    return {}
