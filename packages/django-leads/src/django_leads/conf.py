"""Leads settings, read at call time (never cached at import) so tests and sites can override them."""
from django.conf import settings
from django.utils.module_loading import import_string

DEFAULTS = {
    # Dotted path to a zero-argument callable returning the wallet Account commissions are paid from.
    # None: django_wallet.services.system_account("business"). The demo site points it at the
    # current dealership's account.
    "LEADS_BUSINESS_ACCOUNT": None,
    # Repeat contacts by the same buyer about the same car within this many hours merge into the open lead.
    "LEADS_MERGE_WINDOW_HOURS": 24,
    # Page size of the API lists.
    "LEADS_PAGE_SIZE": 50,
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])


def business_account():
    """The wallet account commissions are paid from (conventions: <LABEL>_BUSINESS_ACCOUNT hook)."""
    path = get("LEADS_BUSINESS_ACCOUNT")
    if path:
        return import_string(path)()
    from django_wallet import services as wallet

    return wallet.system_account("business")
