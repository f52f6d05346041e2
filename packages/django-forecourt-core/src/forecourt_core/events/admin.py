from django.contrib import admin, messages

from . import services
from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "status", "attempts", "route", "available_at", "delivered_at"]
    list_filter = ["status", "kind"]
    search_fields = ["=id", "kind", "request_id"]
    readonly_fields = [f.name for f in Event._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Deliver the selected events again", permissions=["change"])
    def retry(self, request, queryset):
        count = services.events_retry(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} event(s) put back in the queue.", messages.SUCCESS)
