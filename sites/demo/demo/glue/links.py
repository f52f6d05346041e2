"""Absolute links to the pages a notification or an e-mail is about, on the host that shows them.

The marketplace pages (cars, wallet, trading) live on SITE_URL; a dealership's pages (leads,
payslips) on its own subdomain of the same host.
"""
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.urls import reverse
from django_tenants.utils import get_public_schema_name

PUBLIC_URLCONF = "demo.urls_public"


def site_url(path: str = "/", *, schema: str = "") -> str:
    parts = urlsplit(settings.SITE_URL)
    host = parts.hostname if not schema or schema == get_public_schema_name() else f"{schema}.{parts.hostname}"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, path, "", ""))


def _page(name: str, *args, schema: str = "") -> str:
    urlconf = PUBLIC_URLCONF if not schema or schema == get_public_schema_name() else settings.ROOT_URLCONF
    return site_url(reverse(f"pages:{name}", args=args, urlconf=urlconf), schema=schema)


def car(store_key: str, car_id: int) -> str:
    """A listed car's marketplace page."""
    return _page("store_car", store_key, car_id) if store_key else _page("car", car_id)


def my_car(car_id: int) -> str:
    return _page("my_car", car_id)


def lead(schema: str, lead_id: int) -> str:
    return _page("lead", lead_id, schema=schema)


def inventory(schema: str) -> str:
    return _page("inventory", schema=schema)


def payslips(schema: str) -> str:
    return _page("payslips", schema=schema)


def wallet() -> str:
    return _page("wallet")


def trading() -> str:
    return _page("trading")


def purchases() -> str:
    return _page("purchases")


def my_cars() -> str:
    return _page("my_cars")


def sales(schema: str) -> str:
    return _page("sales", schema=schema)
