"""Trading desk data.

- ``Stock``: one row per ticker. ``latest_bar`` is the newest ingested bar (its close is the
  current price); ``volume`` is the volume available to trade: reset to the newest bar's volume
  on ingest, lowered by settled buys and raised by settled sells.
- ``PriceBar``: one OHLCV bar; immutable (the model refuses save-after-create and delete, and a
  database trigger refuses UPDATE and DELETE); unique per (stock, timestamp).
- ``Order``: a buy or sell of a whole number of shares (the ``/transactions/`` routes call it a transaction). Created
  ``pending`` (market, or a limit already crossed) or ``resting`` (limit), with a
  ``trading.order_placed`` event in the same transaction (``trading.order_triggered`` when a bar
  crosses a resting limit); the event relay settles it (``handlers.py``). Ends ``settled`` (with
  price and wallet transaction), ``rejected`` (with a reason code) or ``cancelled``.
- ``Holding``: shares of one stock held by one user, with the cost basis of those shares (exact
  cents, so selling everything leaves exactly zero) and realised profit and loss. ``reserved``
  shares are promised to resting limit sells, as a resting limit buy's cash is held in the wallet.

Lock order everywhere: stock, then order, then holding, then wallet accounts (the wallet locks
its accounts in ascending id order). Ingest and settlement both lock the stock first, so no
cycle can form.
"""
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from forecourt_core.amounts import AmountField

from .errors import ImmutableBar

TICKER_PATTERN = r"^[A-Z][A-Z0-9.]{0,9}$"


class Stock(models.Model):
    ticker = models.CharField(max_length=10, unique=True)
    latest_bar = models.ForeignKey("PriceBar", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    volume = models.BigIntegerField(default=0, help_text="Volume available to trade.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ticker"]
        constraints = [
            models.CheckConstraint(condition=Q(volume__gte=0), name="trading_stock_volume_non_negative"),
            models.CheckConstraint(condition=Q(ticker__regex=TICKER_PATTERN), name="trading_stock_ticker_format"),
        ]

    def __str__(self) -> str:
        return self.ticker

    @property
    def price(self) -> Decimal | None:
        return self.latest_bar.close if self.latest_bar_id else None


class PriceBarQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableBar()

    def delete(self):
        raise ImmutableBar()


class PriceBar(models.Model):
    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="bars")
    open = AmountField()
    high = AmountField()
    low = AmountField()
    close = AmountField()
    volume = models.BigIntegerField()
    timestamp = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = PriceBarQuerySet.as_manager()

    class Meta:
        ordering = ["stock", "-timestamp"]
        permissions = [("ingest_prices", "Can ingest price bars")]
        constraints = [
            models.UniqueConstraint(fields=["stock", "timestamp"], name="trading_pricebar_unique_stock_timestamp"),
            models.CheckConstraint(
                condition=Q(low__gte=0) & Q(volume__gte=0) & Q(low__lte=F("open")) & Q(open__lte=F("high"))
                & Q(low__lte=F("close")) & Q(close__lte=F("high")), name="trading_pricebar_ohlc_consistent"),
        ]

    def __str__(self) -> str:
        return f"{self.stock_id}@{self.timestamp:%Y-%m-%dT%H:%M:%S} {self.close}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableBar()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableBar()


class Order(models.Model):
    class Side(models.TextChoices):
        BUY = "buy", "Buy"
        SELL = "sell", "Sell"

    class Type(models.TextChoices):
        MARKET = "market", "Market"
        LIMIT = "limit", "Limit"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RESTING = "resting", "Resting"
        SETTLED = "settled", "Settled"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"

    class Reason(models.TextChoices):
        INSUFFICIENT_FUNDS = "insufficient_funds", "Insufficient funds"
        INSUFFICIENT_HOLDINGS = "insufficient_holdings", "Insufficient holdings"
        INSUFFICIENT_VOLUME = "insufficient_volume", "Insufficient volume available"
        UNKNOWN_TICKER = "unknown_ticker", "Unknown ticker"
        ACCOUNT_FROZEN = "account_frozen", "Account frozen"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trading_orders")
    ticker = models.CharField(max_length=10)
    side = models.CharField(max_length=4, choices=Side.choices)
    order_type = models.CharField(max_length=6, choices=Type.choices, default=Type.MARKET)
    limit_price = AmountField(null=True, blank=True)
    volume = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=32, choices=Reason.choices, blank=True, default="")
    price = AmountField(null=True, blank=True, help_text="Price per share at settlement.")
    amount = AmountField(null=True, blank=True, help_text="price x volume.")
    wallet_transaction_id = models.UUIDField(null=True, blank=True)
    # A resting limit buy reserves limit x volume in the wallet until it settles or is cancelled.
    hold = models.ForeignKey("wallet.Hold", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A resting limit sell reserves its shares on the holding (Holding.reserved) until then.
    shares_reserved = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the order last became pending (creation, or a crossing bar).
    pending_since = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True, help_text="When it settled, was rejected or cancelled.")

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("view_any_order", "Can view any trader's orders"),
                       ("fund_trader", "Can register and fund traders")]
        constraints = [
            models.UniqueConstraint(fields=["user", "idempotency_key"], condition=Q(idempotency_key__isnull=False),
                                    name="trading_order_unique_idempotency"),
            models.CheckConstraint(condition=Q(volume__gt=0), name="trading_order_volume_positive"),
            models.CheckConstraint(
                condition=(Q(order_type="market") & Q(limit_price__isnull=True))
                | (Q(order_type="limit") & Q(limit_price__isnull=False) & Q(limit_price__gt=0)),
                name="trading_order_limit_price_iff_limit"),
        ]
        indexes = [
            models.Index(fields=["user", "created_at"], name="trading_order_history"),
            models.Index(fields=["status", "pending_since"], name="trading_order_pending",
                         condition=Q(status="pending")),
            models.Index(fields=["ticker"], name="trading_order_resting", condition=Q(status="resting")),
        ]

    def __str__(self) -> str:
        return f"{self.side} {self.volume} {self.ticker} ({self.status})"


class Holding(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trading_holdings")
    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="holdings")
    quantity = models.BigIntegerField(default=0)
    # Shares promised to resting limit sells: only quantity - reserved can be sold by another order.
    reserved = models.BigIntegerField(default=0)
    cost_basis = AmountField(default=Decimal("0.00"), help_text="What the held shares cost.")
    realised_pnl = AmountField(default=Decimal("0.00"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["stock__ticker"]
        constraints = [
            models.UniqueConstraint(fields=["user", "stock"], name="trading_holding_unique_user_stock"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="trading_holding_quantity_non_negative"),
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(reserved__lte=F("quantity")),
                name="trading_holding_reserved_within_quantity"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.stock_id} for user {self.user_id}"

    @property
    def free(self) -> int:
        """Shares not promised to a resting sell."""
        return self.quantity - self.reserved

    @property
    def average_cost(self) -> Decimal:
        if not self.quantity:
            return Decimal("0.00")
        return (self.cost_basis / self.quantity).quantize(Decimal("0.0001"))
