"""Locking stock rows, the one lock every price move, order placement and settlement takes first."""
from collections.abc import Iterable

from ..models import PriceBar, Stock


def lock_stocks(tickers: Iterable[str]) -> dict[str, Stock]:
    """Lock the stocks of ``tickers`` in id order (no deadlock between callers), then read their latest
    bars in a statement of its own.

    Not ``select_related("latest_bar")`` in the locking query: after waiting for a lock, READ COMMITTED
    re-reads only the locked row (EvalPlanQual), while a joined row stays as the statement first saw it,
    so a stock whose latest bar moved during the wait came back with ``latest_bar`` None. A new statement
    sees what the other transaction committed.
    """
    stocks = list(Stock.objects.select_for_update().filter(ticker__in=list(tickers)).order_by("id"))
    bars = PriceBar.objects.in_bulk([s.latest_bar_id for s in stocks if s.latest_bar_id is not None])
    for stock in stocks:
        stock.latest_bar = bars.get(stock.latest_bar_id)
    return {stock.ticker: stock for stock in stocks}
