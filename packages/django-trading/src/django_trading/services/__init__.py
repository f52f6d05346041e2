"""Every write of the trading desk. Keyword-only, typed, atomic; locks stock, then order, then holding."""
from .ingest import IngestResult, bars_ingest
from .orders import order_cancel, order_create
from .settlement import order_settle
from .traders import trader_account, trader_create, trader_deposit, trader_fund, trader_withdraw

__all__ = ["IngestResult", "bars_ingest", "order_cancel", "order_create", "order_settle", "trader_account",
           "trader_create", "trader_deposit", "trader_fund", "trader_withdraw"]
