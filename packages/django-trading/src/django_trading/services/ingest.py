"""Price bar ingest: validate, insert in bulk, move each stock's latest bar, trigger crossed limit orders."""
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from forecourt_core.amounts import validate_amount
from forecourt_core.errors import InvalidAmount
from forecourt_core.signals import send_on_commit

from .. import cache, conf
from ..errors import BarConflict, InvalidBar
from ..models import TICKER_PATTERN, Order, PriceBar, Stock
from ..signals import bars_ingested
from .events import record_orders_triggered
from .stocks import lock_stocks

TICKER_RE = re.compile(TICKER_PATTERN)
PRICE_FIELDS = ("open", "high", "low", "close")


@dataclass
class IngestResult:
    created: int = 0
    duplicates: int = 0
    tickers: list[str] = field(default_factory=list)
    triggered_orders: list[UUID] = field(default_factory=list)


def _invalid(index: int, message: str) -> InvalidBar:
    return InvalidBar(f"bar {index}: {message}")


def _validate(index: int, bar: dict) -> dict:
    ticker = bar.get("ticker")
    if not isinstance(ticker, str) or not TICKER_RE.match(ticker):
        raise _invalid(index, "ticker must match " + TICKER_PATTERN)
    clean = {"ticker": ticker}
    for name in PRICE_FIELDS:
        try:  # a price of 0 is valid market data
            clean[name] = validate_amount(bar.get(name), allow_zero=True)
        except InvalidAmount:
            raise _invalid(index, f"{name} must be a Decimal, non-negative, with at most 2 decimal places and "
                                  "below 10**16") from None
    body_low, body_high = sorted((clean["open"], clean["close"]))
    if not clean["low"] <= body_low or not body_high <= clean["high"]:
        raise _invalid(index, "prices must satisfy low <= open, close <= high")
    volume = bar.get("volume")
    if isinstance(volume, bool) or not isinstance(volume, int) or not 0 <= volume < 2**63:
        raise _invalid(index, "volume must be a non-negative integer")
    clean["volume"] = volume
    stamp = bar.get("timestamp") or timezone.now()
    if not isinstance(stamp, datetime) or timezone.is_naive(stamp):
        raise _invalid(index, "timestamp must be an aware datetime")
    clean["timestamp"] = stamp
    return clean


def _same(existing: PriceBar, bar: dict) -> bool:
    return all(getattr(existing, name) == bar[name] for name in (*PRICE_FIELDS, "volume"))


def _crossed(orders: list[Order], ranges: dict[str, tuple[Decimal, Decimal]]) -> list[UUID]:
    """Ids of resting orders crossed by the fresh bars: buy when a low <= limit, sell when a high >= limit."""
    crossed = []
    for order in orders:
        low, high = ranges[order.ticker]
        if (order.side == Order.Side.BUY and low <= order.limit_price) or (
                order.side == Order.Side.SELL and high >= order.limit_price):
            crossed.append(order.id)
    return crossed


def bars_ingest(*, bars: list[dict]) -> IngestResult:
    """Store new bars (all or nothing). A bar equal to a stored one is skipped; a different bar at the
    same (ticker, timestamp) raises BarConflict, because bars are immutable."""
    if not bars:
        raise InvalidBar("no bars")
    if len(bars) > conf.get("TRADING_MAX_BARS_PER_REQUEST"):
        raise InvalidBar(f"at most {conf.get('TRADING_MAX_BARS_PER_REQUEST')} bars per request")
    clean = [_validate(i, bar) for i, bar in enumerate(bars)]
    seen = set()
    for i, bar in enumerate(clean):
        key = (bar["ticker"], bar["timestamp"])
        if key in seen:
            raise _invalid(i, "repeats a (ticker, timestamp) of this request")
        seen.add(key)
    tickers = sorted({b["ticker"] for b in clean})
    try:
        with transaction.atomic():
            return _ingest(clean, tickers)
    except IntegrityError as exc:  # a concurrent ingest inserted the same (ticker, timestamp) first
        raise BarConflict() from exc


def _ingest(clean: list[dict], tickers: list[str]) -> IngestResult:
    Stock.objects.bulk_create([Stock(ticker=t) for t in tickers], ignore_conflicts=True)
    # Settlement and order placement lock the stock first too, so they wait for the new price.
    stocks = lock_stocks(tickers)
    existing = {(b.stock_id, b.timestamp): b for b in PriceBar.objects.filter(
        stock__in=stocks.values(), timestamp__in={b["timestamp"] for b in clean})}
    new, duplicates = [], 0
    for i, bar in enumerate(clean):
        stock = stocks[bar["ticker"]]
        old = existing.get((stock.id, bar["timestamp"]))
        if old is not None:
            if not _same(old, bar):
                raise BarConflict(f"bar {i}: {bar['ticker']} at {bar['timestamp'].isoformat()} "
                                  "already exists with other values")
            duplicates += 1
            continue
        new.append(PriceBar(stock=stock, **{k: v for k, v in bar.items() if k != "ticker"}))
    PriceBar.objects.bulk_create(new, batch_size=2000)

    # Only bars newer than the stock's latest bar move the market: they set the current price and
    # volume, and they are the ones that can cross resting limit orders (a backfill of old bars
    # never fills today's orders). ``ranges`` holds (min low, max high) of those fresh bars.
    previous = {s.id: (s.latest_bar.timestamp if s.latest_bar else None) for s in stocks.values()}
    moved, ranges = {}, {}
    for bar in new:
        stock, before = bar.stock, previous[bar.stock_id]
        if before is not None and bar.timestamp <= before:
            continue
        low, high = ranges.get(stock.ticker, (bar.low, bar.high))
        ranges[stock.ticker] = (min(low, bar.low), max(high, bar.high))
        if stock.latest_bar is None or bar.timestamp > stock.latest_bar.timestamp:
            stock.latest_bar, stock.volume = bar, bar.volume
            moved[stock.id] = stock
    now = timezone.now()
    for stock in moved.values():
        stock.updated_at = now
    Stock.objects.bulk_update(list(moved.values()), ["latest_bar", "volume", "updated_at"])

    resting = list(Order.objects.filter(status=Order.Status.RESTING, ticker__in=list(ranges))
                   .only("id", "ticker", "side", "limit_price"))
    crossed = _crossed(resting, ranges)
    triggered = []
    if crossed:
        # Lock, then flip only rows still resting: a concurrent ingest or cancel wins at most once.
        triggered = list(Order.objects.select_for_update().filter(id__in=crossed, status=Order.Status.RESTING)
                         .values_list("id", flat=True))
        Order.objects.filter(id__in=triggered).update(status=Order.Status.PENDING, pending_since=now)
        record_orders_triggered(triggered)  # their handler settles them once this commits

    result = IngestResult(created=len(new), duplicates=duplicates, tickers=[s.ticker for s in stocks.values()],
                          triggered_orders=triggered)

    cache.bump_on_commit(cache.STOCKS, *(cache.stock(t) for t in result.tickers))
    send_on_commit(bars_ingested, sender=PriceBar, tickers=result.tickers, created=result.created)
    return result
