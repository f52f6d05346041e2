"""Every write of the trading desk. Keyword-only, typed, atomic; locks stock, then order, then holding."""
from .ingest import IngestResult, bars_ingest
from .orders import order_cancel, order_create
from .outbox import enqueue_settlement, orders_sweep_pending
from .settlement import order_settle
from .traders import trader_account, trader_create, trader_deposit, trader_fund, trader_withdraw

__all__ = ["IngestResult", "bars_ingest", "enqueue_settlement", "order_cancel", "order_create", "order_settle",
           "orders_sweep_pending", "trader_account", "trader_create", "trader_deposit", "trader_fund",
           "trader_withdraw"]
