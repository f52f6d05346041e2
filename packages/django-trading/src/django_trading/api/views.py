"""Thin DRF views: validate input, call one service or selector, serialise. Mounted under /api/trading/."""
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from forecourt_core.drf import AmountField, Pagination, paginate
from forecourt_core.drf.schema import IDEMPOTENCY_KEY_REQUIRED as KEY_REQUIRED
from forecourt_core.idempotency import parse_idempotency_key, require_idempotency_key

from .. import cache, conf, selectors, services
from ..errors import FundingNotAllowed, InvalidRange, OrderNotFound, TraderNotFound, UnknownTicker
from ..models import TICKER_PATTERN, Order
from . import timestamps
from .permissions import CanIngestPrices, can_view_trader, is_trading_admin

MONEY = {"max_digits": 18, "decimal_places": 2}
FUNDING_KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
                               description="Required with a non-zero balance (the top-up moves money): 1 to 255 "
                                           "printable ASCII characters; a retry with the same key and body gets "
                                           "the first answer and moves nothing again, another balance is 409 "
                                           "idempotency_conflict. Without it: 400 idempotency_key_required.")
TRADER_CREATED = inline_serializer("TraderCreated", {
    "user_id": serializers.CharField(), "username": serializers.CharField(),
    "balance": serializers.DecimalField(**MONEY),
    "funding": serializers.ChoiceField(choices=["none", "staff_top_up", "demo_self_funding"], help_text=(
        "How the initial balance was credited: demo_self_funding means TRADING_ALLOW_SELF_FUNDING is on and the "
        "money was created from nothing, as no production deployment allows"))})
INGESTED = inline_serializer("BarsIngested", {"created": serializers.IntegerField(),
                                              "duplicates": serializers.IntegerField(),
                                              "tickers": serializers.ListField(child=serializers.CharField()),
                                              "triggered_orders": serializers.ListField(child=serializers.UUIDField())})


class BarOutput(serializers.Serializer):
    open = serializers.DecimalField(**MONEY)
    high = serializers.DecimalField(**MONEY)
    low = serializers.DecimalField(**MONEY)
    close = serializers.DecimalField(**MONEY)
    volume = serializers.IntegerField()
    timestamp = serializers.DateTimeField()


class StockOutput(serializers.Serializer):
    ticker = serializers.CharField()
    price = serializers.DecimalField(**MONEY, allow_null=True)
    volume = serializers.IntegerField(help_text="Volume available to trade.")
    latest_bar = BarOutput(allow_null=True)


class TraderCreateApi(APIView):
    """POST /users/: create a trader (a user who can sign in, with a trading account), once.

    An initial balance is a staff top-up (trading.fund_trader), or, only where TRADING_ALLOW_SELF_FUNDING is on
    (a demo), the new trader's own choice; the answer's `funding` says which. Afterwards money reaches the
    trading account only through POST /deposits/ (from the trader's own wallet) or a staff top-up.
    """

    permission_classes = [AllowAny]  # anyone may sign up; a balance is decided below

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TraderCreateInput"

        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, write_only=True, required=False,
                                         help_text="To sign in at /api/auth/token/; without it the trader "
                                                   "cannot sign in.")
        balance = AmountField(allow_zero=True, default=Decimal("0"))

        def validate_username(self, value):
            # The user model's own rules (e.g. no "/" or spaces).
            User = get_user_model()
            try:
                User._meta.get_field(User.USERNAME_FIELD).run_validators(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages, code="invalid") from None
            return value

    @extend_schema(tags=["trading"], request=InputSerializer, parameters=[FUNDING_KEY],
                   responses={201: TRADER_CREATED})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        staff = is_trading_admin(request.user, "trading.fund_trader")
        funding = "none"
        if v["balance"]:
            if staff:
                funding = "staff_top_up"
            elif conf.get("TRADING_ALLOW_SELF_FUNDING"):
                funding = "demo_self_funding"
            else:
                raise FundingNotAllowed()
        key = (require_idempotency_key if v["balance"] else parse_idempotency_key)(request.headers)
        try:
            user = services.trader_create(username=v["username"], password=v.get("password"), balance=v["balance"],
                                          funded_by=request.user if staff else None, idempotency_key=key)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": exc.messages}, code="invalid_password") from None
        body = {"user_id": str(user.pk), "username": user.get_username(),
                "balance": str(selectors.trader_balance(user=user)), "funding": funding}
        return Response(body, status=status.HTTP_201_CREATED)


def _own_transfer_schema(name: str):
    """The OpenAPI of a move between my own wallet and trading accounts, ``name`` its schema prefix."""
    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = f"Trading{name}Input"

        amount = AmountField()

    return InputSerializer, extend_schema(
        tags=["trading"], request=InputSerializer, parameters=[KEY_REQUIRED],
        responses={201: inline_serializer(f"Trading{name}", {"wallet_transaction_id": serializers.UUIDField(),
                                                             "balance": serializers.DecimalField(**MONEY)})})


class _OwnTransferApi(APIView):
    """A keyed transfer between the caller's own wallet and trading accounts, answering the new balance."""

    permission_classes = [IsAuthenticated]

    def _move(self, request, move):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        txn = move(user=request.user, amount=data.validated_data["amount"],
                   idempotency_key=require_idempotency_key(request.headers))
        return Response({"wallet_transaction_id": str(txn.pk),
                         "balance": str(selectors.trader_balance(user=request.user))},
                        status=status.HTTP_201_CREATED)


_DEPOSIT_INPUT, _deposit_schema = _own_transfer_schema("Deposit")
_WITHDRAWAL_INPUT, _withdrawal_schema = _own_transfer_schema("Withdrawal")


class DepositApi(_OwnTransferApi):
    """POST /deposits/: move money from my wallet account to my trading account (one keyed transfer)."""

    InputSerializer = _DEPOSIT_INPUT

    @_deposit_schema
    def post(self, request):
        return self._move(request, services.trader_deposit)


class WithdrawalApi(_OwnTransferApi):
    """POST /withdrawals/: move money from my trading account back to my wallet account (one keyed transfer)."""

    InputSerializer = _WITHDRAWAL_INPUT

    @_withdrawal_schema
    def post(self, request):
        return self._move(request, services.trader_withdraw)


class TraderDetailApi(APIView):
    """GET /users/{username}/: balance and holdings with P&L, cached until the trader or a price changes."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TraderDetailOutput"

        class HoldingOutput(serializers.Serializer):
            class Meta:
                ref_name = "TraderHolding"

            ticker = serializers.CharField(source="stock.ticker")
            quantity = serializers.IntegerField()
            reserved = serializers.IntegerField(help_text="Shares promised to resting limit sells.")
            average_cost = serializers.DecimalField(max_digits=22, decimal_places=4)
            cost_basis = serializers.DecimalField(**MONEY)
            price = serializers.DecimalField(**MONEY, allow_null=True, source="valuation.price")
            market_value = serializers.DecimalField(**MONEY, allow_null=True, source="valuation.market_value")
            unrealised_pnl = serializers.DecimalField(**MONEY, allow_null=True, source="valuation.unrealised_pnl")
            realised_pnl = serializers.DecimalField(**MONEY)

        user_id = serializers.CharField(source="user.pk")
        username = serializers.CharField()
        balance = serializers.DecimalField(**MONEY)
        available_balance = serializers.DecimalField(**MONEY, help_text="balance less the cash held for resting buys")
        holdings = HoldingOutput(many=True)

    @extend_schema(tags=["trading"], responses=OutputSerializer)
    def get(self, request, username: str):
        if not can_view_trader(request.user, username):
            self.permission_denied(request)
        return Response(cache.cached(depends_on=[cache.trader(username), cache.STOCKS], key=f"trader:{username}",
                                     build=lambda: self._build(username)))

    def _build(self, username: str) -> dict:
        user = selectors.user_get(username=username)
        if user is None:
            raise TraderNotFound()
        holdings = selectors.holding_list(user=user)
        for holding in holdings:
            holding.valuation = selectors.holding_valuation(holding)
        return self.OutputSerializer({"user": user, "username": username, "holdings": holdings,
                                      "balance": selectors.trader_balance(user=user),
                                      "available_balance": selectors.trader_available_balance(user=user)}).data


class StockListApi(APIView):
    """GET /stocks/: every stock with its latest bar (cached). POST /stocks/: ingest one bar or a list."""
    pagination_class = Pagination  # the page this view returns, for the OpenAPI schema

    def get_permissions(self):
        return [CanIngestPrices()] if self.request.method == "POST" else [IsAuthenticated()]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "StockListInput"

        ticker = serializers.RegexField(TICKER_PATTERN)
        open = AmountField(allow_zero=True)
        high = AmountField(allow_zero=True)
        low = AmountField(allow_zero=True)
        close = AmountField(allow_zero=True)
        volume = serializers.IntegerField(min_value=0)
        timestamp = serializers.DateTimeField(required=False)

        def to_internal_value(self, data):
            # open_price and close_price are accepted as other names of open and close.
            if isinstance(data, dict):
                data = dict(data)
                for alias, ours in (("open_price", "open"), ("close_price", "close")):
                    if alias in data and ours not in data:
                        data[ours] = data.pop(alias)
            return super().to_internal_value(data)

    @extend_schema(tags=["trading"], responses=StockOutput(many=True))
    def get(self, request):
        paginator = Pagination()
        page = request.query_params.get(paginator.page_query_param, "1")
        size = paginator.get_page_size(request)

        def build():
            rows = paginator.paginate_queryset(selectors.stock_list(), request, view=self)
            return paginator.get_paginated_response(StockOutput(rows, many=True).data).data

        return Response(cache.cached(depends_on=[cache.STOCKS], key=f"stocks:{page}:{size}", build=build))

    @extend_schema(tags=["trading"], request=InputSerializer(many=True), responses={201: INGESTED},
                   description="One bar (an object) or many (a list), all or nothing.")
    def post(self, request):
        many = isinstance(request.data, list)
        data = self.InputSerializer(data=request.data, many=many)
        data.is_valid(raise_exception=True)
        result = services.bars_ingest(bars=data.validated_data if many else [data.validated_data])
        return Response({"created": result.created, "duplicates": result.duplicates, "tickers": result.tickers,
                         "triggered_orders": [str(i) for i in result.triggered_orders]},
                        status=status.HTTP_201_CREATED)


class StockDetailApi(APIView):
    """GET /stocks/{ticker}/: the stock, its latest bar and recent bars (cached)."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(StockOutput):
        class Meta:
            ref_name = "StockDetailOutput"

        recent_bars = BarOutput(many=True)

    @extend_schema(tags=["trading"], responses=OutputSerializer)
    def get(self, request, ticker: str):
        return Response(cache.cached(depends_on=[cache.stock(ticker)], key=f"stock:{ticker}",
                                     build=lambda: self._build(ticker)))

    def _build(self, ticker: str) -> dict:
        stock = selectors.stock_get(ticker=ticker)
        if stock is None:
            raise UnknownTicker()
        stock.recent_bars = selectors.bar_recent(stock=stock)
        return self.OutputSerializer(stock).data


class OrderOutput(serializers.Serializer):
    id = serializers.UUIDField()
    user_id = serializers.CharField()
    ticker = serializers.CharField()
    side = serializers.CharField()
    order_type = serializers.CharField()
    limit_price = serializers.DecimalField(**MONEY, allow_null=True)
    volume = serializers.IntegerField()
    status = serializers.CharField()
    reason = serializers.CharField()
    price = serializers.DecimalField(**MONEY, allow_null=True, help_text="Price per share at settlement.")
    amount = serializers.DecimalField(**MONEY, allow_null=True)
    wallet_transaction_id = serializers.UUIDField(allow_null=True)
    created_at = serializers.DateTimeField()
    settled_at = serializers.DateTimeField(allow_null=True)


class TransactionOutput(serializers.Serializer):
    """An order under the field names of the ``/transactions/`` routes."""

    transaction_id = serializers.UUIDField(source="id")
    user_id = serializers.CharField()
    ticker = serializers.CharField()
    transaction_type = serializers.CharField(source="side")
    order_type = serializers.CharField()
    limit_price = serializers.DecimalField(**MONEY, allow_null=True)
    transaction_volume = serializers.IntegerField(source="volume")
    status = serializers.CharField()
    reason = serializers.CharField()
    transaction_price = serializers.DecimalField(**MONEY, allow_null=True, source="price")
    amount = serializers.DecimalField(**MONEY, allow_null=True)
    wallet_transaction_id = serializers.UUIDField(allow_null=True)
    timestamp = serializers.DateTimeField(source="created_at")
    settled_at = serializers.DateTimeField(allow_null=True)


class OrderInput(serializers.Serializer):
    ticker = serializers.RegexField(TICKER_PATTERN)
    side = serializers.ChoiceField(choices=Order.Side.choices)
    volume = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    order_type = serializers.ChoiceField(choices=Order.Type.choices, default=Order.Type.MARKET)
    limit_price = AmountField(allow_zero=True, required=False, allow_null=True)

    def validate(self, attrs):
        limit = attrs.get("limit_price")
        if attrs["order_type"] == Order.Type.LIMIT and not limit:
            raise serializers.ValidationError({"limit_price": "A limit order needs a positive limit_price."},
                                              code="required")
        if attrs["order_type"] == Order.Type.MARKET and limit is not None:
            raise serializers.ValidationError({"limit_price": "Only limit orders take a limit_price."},
                                              code="invalid")
        return attrs


@extend_schema_field({"type": "string", "enum": list(Order.Side.values)})
class TransactionTypeField(serializers.ChoiceField):
    """``side`` under its ``/transactions/`` name: an inline enum, so the schema names one Side enum only."""


class TransactionInput(OrderInput):
    """An order under the field names of the ``/transactions/`` routes (validated to the same keys)."""

    side = None
    volume = None
    transaction_type = TransactionTypeField(choices=Order.Side.choices, source="side")
    transaction_volume = serializers.IntegerField(min_value=1, max_value=2**31 - 1, source="volume")


def _order_place(request, input_serializer: type[serializers.Serializer]) -> Order:
    data = input_serializer(data=request.data)
    data.is_valid(raise_exception=True)
    v = data.validated_data
    order, _ = services.order_create(user=request.user, ticker=v["ticker"], side=v["side"], volume=v["volume"],
                                     order_type=v["order_type"], limit_price=v.get("limit_price"),
                                     idempotency_key=require_idempotency_key(request.headers))
    return order


def _order_page(view: APIView, request, serializer_class, *, user_id: str, start: str | None, end: str | None):
    """One page of ``user_id``'s orders, newest first: their own, or anyone's for a trading admin."""
    own = str(request.user.pk) == user_id
    if not own and not is_trading_admin(request.user, "trading.view_any_order"):
        view.permission_denied(request)
    user = request.user if own else selectors.user_get_by_pk(pk=user_id)
    if user is None:
        raise TraderNotFound()
    since = timestamps.parse(start, end=False) if start is not None else None
    until = timestamps.parse(end, end=True) if end is not None else None
    if since and until and since > until:
        raise InvalidRange()
    return paginate(view, request, selectors.order_history(user=user, start=since, end=until), serializer_class)


class OrderListCreateApi(APIView):
    """POST /orders/: place a buy or sell (202, pending or resting); the event relay settles it.
    GET /orders/: the caller's orders (a trading admin may ask for ``?user_id=``), newest first, paginated,
    optionally between ``?start=`` and ``?end=`` (ISO-8601 datetime or date, or unix seconds; inclusive)."""

    pagination_class = Pagination  # the page this view returns, for the OpenAPI schema
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["trading"], request=OrderInput, parameters=[KEY_REQUIRED],
                   responses={202: OrderOutput}, operation_id="trading_order_create")
    def post(self, request):
        return Response(OrderOutput(_order_place(request, OrderInput)).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(tags=["trading"], responses=OrderOutput(many=True), operation_id="trading_order_list",
                   parameters=[OpenApiParameter("user_id", str, description="Another trader (trading admins)."),
                               OpenApiParameter("start", str, description="From (inclusive)."),
                               OpenApiParameter("end", str, description="Until (inclusive).")])
    def get(self, request):
        params = request.query_params
        return _order_page(self, request, OrderOutput, user_id=params.get("user_id", str(request.user.pk)),
                           start=params.get("start"), end=params.get("end"))


class TransactionCreateApi(APIView):
    """POST /transactions/: POST /orders/ under the ``transaction_*`` field names."""

    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["trading"], request=TransactionInput, parameters=[KEY_REQUIRED],
                   responses={202: TransactionOutput})
    def post(self, request):
        order = _order_place(request, TransactionInput)
        return Response(TransactionOutput(order).data, status=status.HTTP_202_ACCEPTED)


class TransactionHistoryApi(APIView):
    """GET /transactions/{user_id}/[{start}/{end}/]: GET /orders/ under the ``transaction_*`` field names.

    start and end are ISO-8601 (datetime or date) or unix seconds; both edges are inclusive.
    """
    pagination_class = Pagination  # the page this view returns, for the OpenAPI schema

    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["trading"], responses=TransactionOutput(many=True), operation_id="trading_order_history")
    def get(self, request, user_id: str, start: str | None = None, end: str | None = None):
        return _order_page(self, request, TransactionOutput, user_id=user_id, start=start, end=end)


class TransactionHistoryRangeApi(TransactionHistoryApi):
    """The same list between two timestamps (both inclusive)."""

    @extend_schema(tags=["trading"], responses=TransactionOutput(many=True),
                   operation_id="trading_order_history_range")
    def get(self, request, user_id: str, start: str, end: str):
        return super().get(request, user_id, start, end)


def _visible_order(request, pk) -> Order:
    order = Order.objects.filter(pk=pk).first()
    if order is None or not (order.user_id == request.user.pk
                             or is_trading_admin(request.user, "trading.view_any_order")):
        raise OrderNotFound()  # someone else's order is indistinguishable from a missing one
    return order


class OrderDetailApi(APIView):
    """GET /orders/{id}/: one order (poll it after the 202)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["trading"], responses=OrderOutput)
    def get(self, request, pk):
        return Response(OrderOutput(_visible_order(request, pk)).data)


class OrderCancelApi(APIView):
    """POST /orders/{id}/cancel/: cancel a resting limit order (409 order_not_cancellable otherwise)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["trading"], request=None, responses=OrderOutput)
    def post(self, request, pk):
        order = _visible_order(request, pk)
        if order.user_id != request.user.pk:
            raise OrderNotFound()  # staff may look, only the owner cancels
        return Response(OrderOutput(services.order_cancel(order=order)).data)
