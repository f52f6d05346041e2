"""Trading settings, read at call time (never at import) so tests and sites can override them."""
from forecourt_core.conf import PackageSettings

DEFAULTS = {
    # Django cache alias for shared (public) market data; on django-tenants use an alias without
    # a schema-prefixing key function, or each tenant keeps its own stale copy.
    "TRADING_CACHE_ALIAS": "default",
    # Seconds a cached payload lives; versioned keys make it safe to keep them long.
    "TRADING_CACHE_TTL": 300,
    # Demo only: lets anyone register a new trader with an initial balance (POST /users/).
    "TRADING_ALLOW_SELF_FUNDING": False,
    # Wallet system account that funds traders, and the counterparty of every trade.
    "TRADING_FUNDING_ACCOUNT": "topups",
    "TRADING_MARKET_ACCOUNT": "market",
    # Wallet account purpose of a trader's cash.
    "TRADING_ACCOUNT_PURPOSE": "trading",
    # Bars shown in GET /stocks/{ticker}/.
    "TRADING_RECENT_BARS": 20,
    # Most bars accepted by one ingest request.
    "TRADING_MAX_BARS_PER_REQUEST": 10000,
}
package_settings = PackageSettings(DEFAULTS)
get = package_settings.get
