from django.contrib import admin

from forecourt_core.admin import ReadOnlyAdmin

from .models import BooksProfile, JournalEntry, JournalLine, LedgerAccount, PeriodClose, VehicleCost, VehicleSale


@admin.register(LedgerAccount)
class LedgerAccountAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "type", "role", "is_active"]
    list_filter = ["type", "is_active"]


class JournalLineInline(admin.TabularInline):
    model = JournalLine
    fields = ["account", "amount", "memo", "source_type", "source_id"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "date", "memo", "key", "reverses"]
    date_hierarchy = "date"
    search_fields = ["memo", "key"]
    inlines = [JournalLineInline]


@admin.register(PeriodClose, VehicleCost, VehicleSale)
class HistoryAdmin(ReadOnlyAdmin):
    pass


@admin.register(BooksProfile)
class BooksProfileAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "vat_rate", "vat_exempt"]
