"""The site's answers to the packages' hooks: which dealership (schema) is current, and its wallet.

Packages never import django-tenants; they call these through their settings
(CAR_LISTING_STORE_*, *_BUSINESS_ACCOUNT, FORECOURT_EVENTS_ROUTE*). A "store" is a
dealership's schema name; "" is the public marketplace (private sellers).
"""
from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context

PUBLIC = get_public_schema_name()


def current_store() -> str:
    return "" if connection.schema_name == PUBLIC else connection.schema_name


def store_context(store_key: str):
    return schema_context(store_key or PUBLIC)


def event_route() -> str:
    """FORECOURT_EVENTS_ROUTE: an event is handled in the schema it was recorded in."""
    return connection.schema_name


def event_route_context(route: str):
    """FORECOURT_EVENTS_ROUTE_CONTEXT: enter the event's schema to run its handlers."""
    return schema_context(route or PUBLIC)


def _dealership(schema_name: str):
    from tenancy.models import Dealership

    return Dealership.objects.get(schema_name=schema_name)


def store_account(store_key: str):
    """The dealership's wallet account, found by its schema name in one read (every store purchase asks);
    opened on first use."""
    from django_wallet.services import account_for_owner_by
    from tenancy.models import Dealership

    return account_for_owner_by(Dealership, schema_name=store_key)


def store_account_with(owner, store_key: str):
    """CAR_LISTING_STORE_ACCOUNT_WITH: ``(owner's account, store_account(store_key))`` in one read, paying then
    paid (a store purchase pays from the buyer's account to the dealership's)."""
    from django_wallet.services import account_for_with_owner_by
    from tenancy.models import Dealership

    return account_for_with_owner_by(owner, Dealership, schema_name=store_key)


def store_name(store_key: str) -> str:
    return _dealership(store_key).name if store_key else "Private seller"


def current_business_account():
    """The wallet account of the dealership whose schema is current (refused on the public schema)."""
    if connection.schema_name == PUBLIC:
        raise LookupError("no dealership is current on the public schema")
    return store_account(connection.schema_name)


def books_profile_defaults() -> dict:
    """BOOKS_PROFILE_DEFAULTS: a dealership's invoices carry its name until the accountant fills the rest."""
    return {"legal_name": _dealership(connection.schema_name).name}


def current_dealership_name() -> str:
    """PAYROLL_EMPLOYER_NAME: the dealership whose schema is current employs the people it pays."""
    return store_name(current_store())


def lead_count(*, store_key: str, car_id: int, since) -> int:
    """CAR_LISTING_LEAD_COUNTER: leads live in dealership schemas only, so a private seller's car (the
    public store, which has no leads table) has none; a dealership's car is counted in its own schema."""
    if not store_key:
        return 0
    from django_leads.selectors import lead_count_for_car

    with store_context(store_key):
        return lead_count_for_car(store_key=store_key, car_id=car_id, since=since)


def phone_region() -> str | None:
    """FORECOURT_PHONE_REGION_HOOK: the region of the dealership whose schema is current, when it set one;
    None (the deployment's FORECOURT_PHONE_REGION) on the marketplace or when it did not."""
    if connection.schema_name == PUBLIC:
        return None
    from tenancy.models import Dealership

    region = Dealership.objects.filter(schema_name=connection.schema_name).values_list("phone_region", flat=True)
    return next(iter(region), "") or None
