from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from forecourt_core.admin import ReadOnlyAdmin

from .models import Car, ListingIndex, StoreSale


@admin.register(Car)
class CarAdmin(SimpleHistoryAdmin):
    list_display = ("id", "store_key", "make", "model", "year", "price", "is_for_sale", "is_sold",
                    "verification_status", "deleted_at")
    list_filter = ("verification_status", "is_for_sale", "is_sold", "store_key")
    search_fields = ("vin", "make", "model")
    raw_id_fields = ("owner",)
    # Writes go through the services (index, wallet, signals).
    readonly_fields = ("is_for_sale", "is_sold", "verification_status", "owner", "store_key", "featured_until")


@admin.register(StoreSale)
class SaleAdmin(ReadOnlyAdmin):
    """A record of a purchase: written by car_buy only."""

    list_display = ("id", "store_key", "car", "buyer", "price", "sold_at")


@admin.register(ListingIndex)
class ListingIndexAdmin(ReadOnlyAdmin):
    """Derived from the stores' cars by index_sync: never edited by hand."""

    list_display = ("store_key", "car_id", "make", "model", "price", "verified", "is_for_sale", "featured_until")

