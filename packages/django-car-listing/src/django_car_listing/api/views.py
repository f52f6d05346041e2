"""The cars API: one thin viewset; every action validates input, calls one service or selector, and
serialises. Store rules: management actions act only on cars of the *current* store (so a dealer's staff
can never reach another store's cars); buy/save/track/retrieve may name any store with ``?store=``."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from forecourt_core.drf import AmountField, Pagination, counted_page, page_params, query_params, represent
from forecourt_core.drf.schema import IDEMPOTENCY_KEY_REQUIRED
from forecourt_core.idempotency import require_idempotency_key

from .. import cache, conf, errors, selectors, services
from ..models import BodyType, Car, Fuel, InteractionKind, SaleType, Transmission
from ..services._common import require_manage
from .serializers import (
    CarOutput,
    ImageOutput,
    ListingOutput,
    MarketplacePage,
    OwnershipOutput,
    PriceHistoryOutput,
    PurchaseOutput,
)

STORE_PARAM = OpenApiParameter("store", str, description="Store key of the car (default: the current store; "
                                                         "'' = private sellers).")


def _page_params(request) -> tuple[int, int, int]:
    """(page, page size, offset) by the kernel's rules (deep marketplace pages use ``cursor``)."""
    page, size = page_params(request)
    return page, size, (page - 1) * size


def with_host_store(filters: dict) -> dict:
    """A store's host sees only its own inventory, unless the query names a store."""
    if "store" not in filters and conf.current_store():
        filters["store"] = conf.current_store()
    return filters


class _NotPublic(Exception):
    """A car page that must not be cached, with the body its reader may see."""

    def __init__(self, body: dict):
        super().__init__()
        self.body = body


def _car(car, **kw):
    # Serialise inside the car's store: its images are there (another store has rows with the same ids).
    with conf.store_context(car.store_key):
        return CarOutput(car, **kw).data


def _cars(cars, store_key):
    with conf.store_context(store_key):
        return CarOutput(cars, many=True).data


def _paged(request, page_obj, page, size, data, *, by_cursor=False):
    """The kernel's one page shape; a capped marketplace count is null (more than the cap), and the
    marketplace's ``next`` continues by its keyset cursor (``by_cursor``: this page followed one)."""
    count = None if page_obj.count_capped else page_obj.count
    has_next = page_obj.next_cursor is not None if by_cursor or count is None else page * size < count
    return counted_page(request, results=data, count=count, page=page, page_size=size, has_next=has_next,
                        next_cursor=page_obj.next_cursor if has_next else None)


class CarViewSet(viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = CarOutput
    # Reads go through selectors (store-aware); this only tells the schema generator the model.
    queryset = Car.objects.none()
    # Only for the schema: every list is the kernel's page shape (the marketplace's is declared on `list`).
    pagination_class = Pagination

    class CarInput(serializers.Serializer):
        make = serializers.CharField(max_length=64)
        model = serializers.CharField(max_length=64)
        year = serializers.IntegerField(min_value=1886, max_value=2100)
        price = AmountField()
        mileage = serializers.IntegerField(min_value=0, max_value=2_147_483_647, default=0)  # the column's range
        vin = serializers.CharField(min_length=17, max_length=17)
        body_type = serializers.ChoiceField(choices=BodyType.choices, default=BodyType.OTHER)
        fuel = serializers.ChoiceField(choices=Fuel.choices, default=Fuel.PETROL)
        transmission = serializers.ChoiceField(choices=Transmission.choices, default=Transmission.MANUAL)
        colour = serializers.CharField(max_length=32, allow_blank=True, default="")
        sale_type = serializers.ChoiceField(choices=SaleType.choices, default=SaleType.FIXED)
        description = serializers.CharField(allow_blank=True, default="", max_length=20000)
        location = serializers.CharField(max_length=128, allow_blank=True, default="")

    class SearchInput(serializers.Serializer):
        q = serializers.CharField(required=False, max_length=200)
        make = serializers.CharField(required=False, max_length=64)
        model = serializers.CharField(required=False, max_length=64)
        year_min = serializers.IntegerField(required=False, min_value=0, max_value=9999)
        year_max = serializers.IntegerField(required=False, min_value=0, max_value=9999)
        price_min = AmountField(allow_zero=True, required=False)
        price_max = AmountField(allow_zero=True, required=False)
        body_type = serializers.ChoiceField(choices=BodyType.choices, required=False)
        fuel = serializers.ChoiceField(choices=Fuel.choices, required=False)
        transmission = serializers.ChoiceField(choices=Transmission.choices, required=False)
        sale_type = serializers.ChoiceField(choices=SaleType.choices, required=False)
        store = serializers.CharField(required=False, allow_blank=True, max_length=63)
        sort = serializers.ChoiceField(choices=list(selectors.SORTS), default="featured")
        cursor = serializers.CharField(required=False, max_length=300,
                                       help_text="Set in the `next` link of a full page: continues after it (keyset; "
                                                 "`page` is then ignored). Deep pages cost what the first costs.")

    def get_permissions(self):
        if self.action in ("list", "retrieve", "track", "history"):
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    # -- store resolution -------------------------------------------------------------------------------
    def _current(self) -> str:
        return conf.current_store()

    def _any_store(self) -> str:
        return self.request.query_params.get("store", self._current())

    # -- list / search / CRUD ---------------------------------------------------------------------------
    @extend_schema(parameters=[SearchInput, OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
                   responses=MarketplacePage,
                   examples=[OpenApiExample("search", value={"count": 1, "next": None, "previous": None, "results": [
                       {"id": 7, "store": "dealer1", "store_name": "Dealer One", "make": "Toyota",
                        "model": "Corolla", "year": 2019, "price": "12500.00", "featured": True}]},
                       response_only=True)])
    def list(self, request):
        """Marketplace search over every store (a store's host sees only its own inventory by default)."""
        def build() -> dict:
            s = self.SearchInput(data=query_params(request))
            s.is_valid(raise_exception=True)  # a 400 stores nothing
            filters = with_host_store(dict(s.validated_data))
            sort, cursor = filters.pop("sort"), filters.pop("cursor", None)
            page, size, offset = _page_params(request)
            result = selectors.marketplace_page(filters=filters, sort=sort, offset=offset, limit=size, cursor=cursor)
            # A cursor page is the first of what follows the cursor: `page` is ignored.
            return _paged(request, result, 1 if cursor else page, size,
                          ListingOutput(result.results, many=True).data, by_cursor=bool(cursor)).data

        # The serialised page, until the next index write anywhere (cache.py): queries and serialising are
        # most of a search's cost, and pages are read far more often than listings change.
        return Response(cache.cached(cache.request_key("search", request.query_params, self._current()), build))

    @extend_schema(request=CarInput, responses={201: CarOutput},
                   examples=[OpenApiExample("create", request_only=True, value={
                       "make": "Toyota", "model": "Corolla", "year": 2019, "price": "12500.00",
                       "vin": "1M8GDM9AXKP042788", "body_type": "sedan"})])
    def create(self, request):
        s = self.CarInput(data=request.data)
        s.is_valid(raise_exception=True)
        car = services.car_create(actor=request.user, store_key=self._current(), **s.validated_data)
        return Response(_car(car), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[STORE_PARAM], responses=CarOutput)
    def retrieve(self, request, pk=None):
        store = self._any_store()
        try:
            car_id = int(pk)  # one spelling per car ("0123", "+123" and "1_23" name car 123): one key
        except (TypeError, ValueError):
            raise errors.CarNotFound() from None

        def body() -> dict:
            car = selectors.car_get(store_key=store, car_id=car_id, user=request.user)
            if not selectors.is_listed(car):
                raise _NotPublic(_car(car))  # its manager's (or a verifier's) view: never cached
            return _car(car)

        # A listed car's page is the same for everyone: cached, serialised, until that car is re-indexed
        # (every service that changes a car does, cache.py).
        key = cache.key_for("detail", {"store": store, "id": car_id})
        try:
            return Response(cache.cached(key, body, generation_key=cache.car_generation_key(store, car_id)))
        except _NotPublic as private:
            return Response(private.body)

    @extend_schema(request=CarInput(partial=True), responses=CarOutput)
    def partial_update(self, request, pk=None):
        s = self.CarInput(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        car = services.car_update(actor=request.user, store_key=self._current(), car_id=pk, **s.validated_data)
        return Response(_car(car))

    update = partial_update

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.car_delete(actor=request.user, store_key=self._current(), car_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # -- sale flow ------------------------------------------------------------------------------------------
    class PutOnSaleInput(serializers.Serializer):
        price = AmountField(required=False)

    @extend_schema(request=PutOnSaleInput, responses=CarOutput,
                   examples=[OpenApiExample("reprice", request_only=True, value={"price": "11900.00"}),
                             OpenApiExample("not owner", response_only=True, status_codes=["403"], value={
                                 "code": "not_owner", "message": "Only the car's owner (or the store's staff) "
                                                                 "can do this.", "fields": {}})])
    @action(detail=True, methods=["post"], url_path="put-on-sale")
    def put_on_sale(self, request, pk=None):
        s = self.PutOnSaleInput(data=request.data)
        s.is_valid(raise_exception=True)
        car = services.car_put_on_sale(actor=request.user, store_key=self._current(), car_id=pk,
                                       price=s.validated_data.get("price"))
        return Response(_car(car))

    @extend_schema(request=None, responses=CarOutput)
    @action(detail=True, methods=["post"], url_path="return-from-sale")
    def return_from_sale(self, request, pk=None):
        car = services.car_return_from_sale(actor=request.user, store_key=self._current(), car_id=pk)
        return Response(_car(car))

    @extend_schema(request=None, parameters=[STORE_PARAM, IDEMPOTENCY_KEY_REQUIRED], responses={201: PurchaseOutput},
                   examples=[OpenApiExample("bought", response_only=True, status_codes=["201"], value={
                       "id": 12, "kind": "store_purchase", "owner_id": 5, "previous_owner_id": None,
                       "price": "12500.00", "from_store": "dealer1", "from_car_id": 7,
                       "wallet_transaction_id": "5d0c3f8e-8a43-4f7e-9d55-2b1f6c0e4a21",
                       "car": {"id": 44, "store": "", "owner_id": 5}}),
                             OpenApiExample("taken", response_only=True, status_codes=["409"], value={
                                 "code": "car_not_available", "message": "The car is not for sale (any more).",
                                 "fields": {}})],
                   description="Buy the car. Errors: car_not_available (409), own_car (409), not_verified (409), "
                               "insufficient_funds (409), idempotency_conflict (409), car_not_found (404).")
    @action(detail=True, methods=["post"])
    def buy(self, request, pk=None):
        key = require_idempotency_key(request.headers)
        if len(key) > 128:  # what a purchase record keeps
            raise serializers.ValidationError({"Idempotency-Key": "At most 128 characters."})
        record = services.car_buy(buyer=request.user, store_key=self._any_store(), car_id=pk, idempotency_key=key)
        with conf.public_context():
            data = represent(PurchaseOutput, record)
        return Response(data, status=status.HTTP_201_CREATED)

    # -- verification (platform staff) ------------------------------------------------------------------------
    @extend_schema(request=None, parameters=[STORE_PARAM], responses=CarOutput)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        car = services.car_verify(actor=request.user, store_key=self._any_store(), car_id=pk)
        return Response(_car(car))

    class RejectInput(serializers.Serializer):
        reason = serializers.CharField(max_length=2000)

    @extend_schema(request=RejectInput, parameters=[STORE_PARAM], responses=CarOutput,
                   examples=[OpenApiExample("reject", request_only=True, value={"reason": "VIN plate not visible"})])
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        s = self.RejectInput(data=request.data)
        s.is_valid(raise_exception=True)
        car = services.car_reject(actor=request.user, store_key=self._any_store(), car_id=pk,
                                  reason=s.validated_data["reason"])
        return Response(_car(car))

    # -- featuring -----------------------------------------------------------------------------------------
    class FeatureInput(serializers.Serializer):
        days = serializers.IntegerField(min_value=1)

    @extend_schema(request=FeatureInput, parameters=[IDEMPOTENCY_KEY_REQUIRED], responses=CarOutput,
                   examples=[OpenApiExample("a week", request_only=True, value={"days": 7})])
    @action(detail=True, methods=["post"])
    def feature(self, request, pk=None):
        s = self.FeatureInput(data=request.data)
        s.is_valid(raise_exception=True)
        car = services.car_feature(actor=request.user, store_key=self._current(), car_id=pk,
                                   days=s.validated_data["days"],
                                   idempotency_key=require_idempotency_key(request.headers))
        return Response(_car(car))

    # -- saved cars and interactions ------------------------------------------------------------------------
    @extend_schema(request=None, parameters=[STORE_PARAM], responses={201: None})
    @action(detail=True, methods=["post"])
    def save(self, request, pk=None):
        services.car_save(user=request.user, store_key=self._any_store(), car_id=pk)
        return Response({"saved": True}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, parameters=[STORE_PARAM], responses={204: None})
    @action(detail=True, methods=["post"])
    def unsave(self, request, pk=None):
        services.car_unsave(user=request.user, store_key=self._any_store(), car_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    class TrackInput(serializers.Serializer):
        kind = serializers.ChoiceField(choices=[k for k in InteractionKind.values if k != "save"])

    @extend_schema(request=TrackInput, parameters=[STORE_PARAM],
                   responses=inline_serializer("TrackOutput", {"recorded": serializers.BooleanField()}))
    @action(detail=True, methods=["post"])
    def track(self, request, pk=None):
        s = self.TrackInput(data=request.data)
        s.is_valid(raise_exception=True)
        if not request.user.is_authenticated and not request.session.session_key:
            request.session.save()  # anonymous visitors are deduplicated by their session
        recorded = services.interaction_record(store_key=self._any_store(), car_id=pk,
                                               kind=s.validated_data["kind"], user=request.user,
                                               session_key=request.session.session_key)
        return Response({"recorded": recorded})

    # -- images -------------------------------------------------------------------------------------------
    @extend_schema(request={"multipart/form-data": inline_serializer("ImageUpload", {
        "image": serializers.ImageField()})}, responses={201: ImageOutput})
    @action(detail=True, methods=["post"])
    def images(self, request, pk=None):
        upload = request.FILES.get("image")
        if upload is None:
            raise serializers.ValidationError({"image": "Attach a file as 'image'."})
        image = services.car_image_add(actor=request.user, store_key=self._current(), car_id=pk, upload=upload)
        return Response(ImageOutput(image).data, status=status.HTTP_201_CREATED)

    class ReorderInput(serializers.Serializer):
        ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), max_length=200)

    @extend_schema(request=ReorderInput, responses=ImageOutput(many=True))
    @action(detail=True, methods=["post"], url_path="images/reorder", pagination_class=None)  # a plain list
    def images_reorder(self, request, pk=None):
        s = self.ReorderInput(data=request.data)
        s.is_valid(raise_exception=True)
        images = services.car_images_reorder(actor=request.user, store_key=self._current(), car_id=pk,
                                             image_ids=s.validated_data["ids"])
        return Response(ImageOutput(images, many=True).data)

    @extend_schema(responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"images/(?P<image_id>\d+)")
    def images_delete(self, request, pk=None, image_id=None):
        services.car_image_delete(actor=request.user, store_key=self._current(), car_id=pk, image_id=int(image_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    # -- history and analytics -------------------------------------------------------------------------------
    @extend_schema(parameters=[STORE_PARAM], responses=inline_serializer("CarHistory", {
        "ownership": OwnershipOutput(many=True),
        "price_history": PriceHistoryOutput(many=True)}))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        car = selectors.car_get(store_key=self._any_store(), car_id=pk, user=request.user)
        return Response({"ownership": OwnershipOutput(selectors.ownership_history(car=car), many=True).data,
                         "price_history": PriceHistoryOutput(selectors.price_history(car=car), many=True).data})

    class AnalyticsInput(serializers.Serializer):
        days = serializers.IntegerField(min_value=1, max_value=366, default=30)

    @extend_schema(parameters=[AnalyticsInput], responses=inline_serializer("CarAnalytics", {
        "days": serializers.IntegerField(), "daily": serializers.ListField(child=serializers.DictField()),
        "totals": serializers.DictField(), "conversion": serializers.DictField()}))
    @action(detail=True, methods=["get"])
    def analytics(self, request, pk=None):
        s = self.AnalyticsInput(data=query_params(request))
        s.is_valid(raise_exception=True)
        car = selectors.car_get(store_key=self._current(), car_id=pk, user=request.user)
        require_manage(request.user, car)
        data = selectors.car_analytics(store_key=car.store_key, car_id=car.pk, days=s.validated_data["days"])
        data["conversion"] = {k: str(v) for k, v in data["conversion"].items()}
        return Response(data)

    # -- the user's lists ------------------------------------------------------------------------------------
    @extend_schema(responses=CarOutput(many=True))
    @action(detail=False, methods=["get"])
    def mine(self, request):
        """My cars (public store); on a store host with car_listing.change_car: the store's inventory."""
        page, size, offset = _page_params(request)
        store = self._current()
        if store:
            if not request.user.has_perm("car_listing.change_car"):
                from ..errors import NotAllowed

                raise NotAllowed()
            result = selectors.store_cars(store_key=store, offset=offset, limit=size)
        else:
            result = selectors.store_cars(store_key="", owner=request.user, offset=offset, limit=size)
        return _paged(request, result, page, size, _cars(result.results, store or ""))

    @extend_schema(responses=ListingOutput(many=True))
    @action(detail=False, methods=["get"])
    def saved(self, request):
        page, size, offset = _page_params(request)
        result = selectors.saved_cars(user=request.user, offset=offset, limit=size)
        data = [{"store": s.store_key, "id": s.car_id, "saved_at": s.created_at,
                 "listing": ListingOutput(row).data if row else None} for s, row in result.results]
        return _paged(request, result, page, size, data)

    @extend_schema(responses=PurchaseOutput(many=True))
    @action(detail=False, methods=["get"])
    def purchases(self, request):
        page, size, offset = _page_params(request)
        result = selectors.purchases(user=request.user, offset=offset, limit=size)
        with conf.public_context():
            data = PurchaseOutput(result.results, many=True).data
        return _paged(request, result, page, size, data)
