"""Wallet settings, read at call time (never cached at import) so tests and sites can override them."""

from forecourt_core.conf import PackageSettings

DEFAULTS = {
    # One currency per deployment (ISO 4217).
    "WALLET_CURRENCY": "USD",
    # System account that funds approved seller credit (may overdraw).
    "WALLET_CREDIT_ACCOUNT": "credit",
    # System account that receives charge sales.
    "WALLET_CHARGE_SALES_ACCOUNT": "charge_sales",
    # Purpose of a user's own account (the one the API shows and transfers from).
    "WALLET_USER_PURPOSE": "main",
    # Model labels ("app_label.model") whose accounts' transactions are recorded as the domain event
    # wallet.transaction_posted (a site's books follow a business's account); none by default.
    "WALLET_TRANSACTION_EVENT_OWNERS": (),
}
package_settings = PackageSettings(DEFAULTS)
get = package_settings.get
