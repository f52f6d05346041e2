"""Domain events of the trading desk, sent on commit. They announce; receivers never decide."""
from django.dispatch import Signal

# sender=Order, order=<settled Order>
trade_settled = Signal()
# sender=Order, order=<rejected Order> (order.reason holds the code)
order_rejected = Signal()
# sender=PriceBar, tickers=[...], created=<int>
bars_ingested = Signal()
