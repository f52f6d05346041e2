from django.contrib import admin

from forecourt_core.admin import ReadOnlyAdmin

from .models import Holding, Order, PriceBar, Stock


@admin.register(Stock)
class StockAdmin(admin.ModelAdmin):
    list_display = ["ticker", "volume", "updated_at"]
    search_fields = ["ticker"]
    readonly_fields = ["latest_bar"]


@admin.register(PriceBar)
class PriceBarAdmin(ReadOnlyAdmin):
    """Bars are immutable and come in through ingest."""

    list_display = ["stock", "timestamp", "open", "high", "low", "close", "volume"]
    list_filter = ["stock"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    """Orders change only through the services (placing, settlement, cancel)."""

    list_display = ["id", "user", "side", "volume", "ticker", "order_type", "status", "reason", "price", "created_at"]
    list_filter = ["status", "side", "order_type"]
    search_fields = ["ticker", "id"]


@admin.register(Holding)
class HoldingAdmin(ReadOnlyAdmin):
    """Holdings move only with settled orders."""

    list_display = ["user", "stock", "quantity", "cost_basis", "realised_pnl"]
