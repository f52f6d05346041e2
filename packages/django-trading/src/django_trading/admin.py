from django.contrib import admin

from .models import Holding, Order, PriceBar, Stock


@admin.register(Stock)
class StockAdmin(admin.ModelAdmin):
    list_display = ["ticker", "volume", "updated_at"]
    search_fields = ["ticker"]
    readonly_fields = ["latest_bar"]


@admin.register(PriceBar)
class PriceBarAdmin(admin.ModelAdmin):
    """Read-only: bars are immutable."""

    list_display = ["stock", "timestamp", "open", "high", "low", "close", "volume"]
    list_filter = ["stock"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "side", "volume", "ticker", "order_type", "status", "reason", "price", "created_at"]
    list_filter = ["status", "side", "order_type"]
    search_fields = ["ticker", "id"]

    def has_change_permission(self, request, obj=None):
        return False  # orders change only through services (settlement, cancel)


@admin.register(Holding)
class HoldingAdmin(admin.ModelAdmin):
    list_display = ["user", "stock", "quantity", "cost_basis", "realised_pnl"]

    def has_change_permission(self, request, obj=None):
        return False
