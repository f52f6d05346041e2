"""Output shapes shared by several endpoints (inputs are nested in the views)."""

from django.core.files.storage import default_storage
from django.utils import timezone
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from forecourt_core.drf import AmountField

from ..models import BodyType, Fuel, SaleType, Transmission


def _url(name: str) -> str | None:
    return default_storage.url(name) if name else None


class ImageOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    position = serializers.IntegerField()

    def get_url(self, obj) -> str | None:
        return _url(obj.image.name)

    def get_thumbnail_url(self, obj) -> str | None:
        return _url(obj.thumbnail.name)


class CarOutput(serializers.Serializer):
    id = serializers.IntegerField()
    store = serializers.CharField(source="store_key")
    owner_id = serializers.IntegerField(allow_null=True)
    make = serializers.CharField()
    model = serializers.CharField()
    year = serializers.IntegerField()
    price = AmountField()
    mileage = serializers.IntegerField()
    vin = serializers.CharField()
    body_type = serializers.ChoiceField(choices=BodyType.choices)
    fuel = serializers.ChoiceField(choices=Fuel.choices)
    transmission = serializers.ChoiceField(choices=Transmission.choices)
    colour = serializers.CharField()
    sale_type = serializers.ChoiceField(choices=SaleType.choices)
    description = serializers.CharField()
    location = serializers.CharField()
    is_for_sale = serializers.BooleanField()
    is_sold = serializers.BooleanField()
    verification_status = serializers.CharField()
    rejection_reason = serializers.CharField()
    featured_until = serializers.DateTimeField(allow_null=True)
    origin_store = serializers.CharField(source="origin_store_key")
    origin_car_id = serializers.IntegerField(allow_null=True)
    images = ImageOutput(many=True, source="images.all")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ListingOutput(serializers.Serializer):
    """A marketplace row (from the ListingIndex): ``store`` + ``id`` name the car."""

    id = serializers.IntegerField(source="car_id")
    store = serializers.CharField(source="store_key")
    store_name = serializers.CharField()
    make = serializers.CharField()
    model = serializers.CharField()
    year = serializers.IntegerField()
    price = AmountField()
    mileage = serializers.IntegerField()
    body_type = serializers.CharField()
    fuel = serializers.CharField()
    transmission = serializers.CharField()
    colour = serializers.CharField()
    sale_type = serializers.CharField()
    location = serializers.CharField()
    thumbnail_url = serializers.SerializerMethodField()
    verified = serializers.BooleanField()
    featured = serializers.SerializerMethodField()
    featured_until = serializers.DateTimeField(allow_null=True)
    listed_at = serializers.DateTimeField(allow_null=True)

    def get_thumbnail_url(self, obj) -> str | None:
        return _url(obj.thumbnail)

    def get_featured(self, obj) -> bool:
        return bool(obj.featured_until and obj.featured_until > timezone.now())


@extend_schema_serializer(many=False)  # already the whole page: the schema must not page it again
class MarketplacePage(serializers.Serializer):
    """The kernel's page shape, with a count that is null past CAR_LISTING_SEARCH_COUNT_CAP."""

    count = serializers.IntegerField(allow_null=True, help_text="Null past CAR_LISTING_SEARCH_COUNT_CAP.")
    next = serializers.URLField(allow_null=True, help_text="The next page (by keyset `cursor`).")
    previous = serializers.URLField(allow_null=True)
    results = ListingOutput(many=True)


class OwnershipOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    owner_id = serializers.IntegerField(allow_null=True)
    previous_owner_id = serializers.IntegerField(allow_null=True)
    price = AmountField(allow_null=True)
    from_store = serializers.CharField(source="from_store_key")
    from_car_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class PriceHistoryOutput(serializers.Serializer):
    """One change of a car's price or status; money as a string, like every other amount."""

    history_date = serializers.DateTimeField()
    price = AmountField()
    is_for_sale = serializers.BooleanField()
    is_sold = serializers.BooleanField()
    verification_status = serializers.CharField()


class PurchaseOutput(OwnershipOutput):
    car = CarOutput()
    wallet_transaction_id = serializers.UUIDField(allow_null=True)
