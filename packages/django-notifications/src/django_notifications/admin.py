from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.utils import timezone

from . import conf, services
from .models import Notification, OutboxMessage, Preference


class UnreadFilter(admin.SimpleListFilter):
    title = "read"
    parameter_name = "unread"

    def lookups(self, request, model_admin):
        return [("1", "Unread"), ("0", "Read")]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(read_at__isnull=self.value() == "1")
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "recipient", "kind", "title", "created_at", "read_at"]
    list_filter = [UnreadFilter, "kind"]
    search_fields = ["title", "kind"]
    raw_id_fields = ["recipient"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"


class StuckFilter(admin.SimpleListFilter):
    """Undelivered (pending or queued) for longer than NOTIFICATIONS_STUCK_AFTER minutes."""

    title = "stuck"
    parameter_name = "stuck"

    def lookups(self, request, model_admin):
        return [("1", f"Stuck (> {conf.get('NOTIFICATIONS_STUCK_AFTER')} min)")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            cutoff = timezone.now() - timedelta(minutes=conf.get("NOTIFICATIONS_STUCK_AFTER"))
            return queryset.filter(
                status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.QUEUED], created_at__lt=cutoff
            )
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "status", "attempts", "created_at", "queued_at", "delivered_at",
                    "short_error"]
    list_filter = [StuckFilter, "status", "channel"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry"]

    @admin.display(description="last error")
    def short_error(self, obj):
        return obj.last_error[:80]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Retry delivery of the selected messages", permissions=["change"])
    def retry(self, request, queryset):
        count = services.outbox_retry(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} message(s) put back in the outbox.", messages.SUCCESS)


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "channel", "enabled"]
    list_filter = ["channel", "enabled"]
    raw_id_fields = ["user"]
