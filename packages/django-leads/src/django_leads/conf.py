"""Leads settings, read at call time (never cached at import) so tests and sites can override them."""
from forecourt_core.conf import PackageSettings

DEFAULTS = {
    # Dotted path to a zero-argument callable returning the wallet Account commissions are paid from.
    # None: django_wallet.services.system_account("business"). The demo site points it at the
    # current dealership's account.
    "LEADS_BUSINESS_ACCOUNT": None,
    # Repeat contacts by the same buyer about the same car within this many hours merge into the open lead.
    "LEADS_MERGE_WINDOW_HOURS": 24,
}
package_settings = PackageSettings(DEFAULTS)
get = package_settings.get


def business_account():
    """The wallet account commissions are paid from (conventions: <LABEL>_BUSINESS_ACCOUNT hook)."""
    hook = package_settings.hook("LEADS_BUSINESS_ACCOUNT")
    if hook:
        return hook()
    from django_wallet import services as wallet

    return wallet.system_account("business")
