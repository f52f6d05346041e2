"""Read-only ledger admin; credit requests are decided through the same once-only services."""

from django.contrib import admin, messages

from forecourt_core.admin import ReadOnlyAdmin, ReadOnlyInline
from forecourt_core.errors import DomainError

from . import services
from .models import Account, ChargeSale, CreditRequest, Entry, Hold, IdempotencyFailure, Transaction


class EntryInline(ReadOnlyInline):
    model = Entry
    fields = ["account", "amount", "balance_after"]
    readonly_fields = fields


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "name",
        "owner_type",
        "owner_id",
        "purpose",
        "currency",
        "status",
        "balance",
        "allow_overdraft",
    ]
    list_filter = ["status", "purpose", "owner_type"]
    search_fields = ["name", "owner_id"]


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "memo", "created_at"]
    list_filter = ["kind"]
    search_fields = ["id", "memo", "idempotency_key"]
    date_hierarchy = "created_at"
    inlines = [EntryInline]


@admin.register(IdempotencyFailure)
class IdempotencyFailureAdmin(ReadOnlyAdmin):
    list_display = ["idempotency_scope", "idempotency_key", "code", "created_at"]
    search_fields = ["idempotency_key"]


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "transaction", "account", "amount", "balance_after", "created_at"]
    list_select_related = ["transaction", "account"]
    search_fields = ["transaction__id"]
    raw_id_fields = ["transaction", "account"]


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ["id", "account", "amount", "status", "expires_at", "created_at"]
    list_filter = ["status"]


@admin.register(ChargeSale)
class ChargeSaleAdmin(ReadOnlyAdmin):
    list_display = ["id", "account", "phone", "amount", "created_at"]
    search_fields = ["phone"]


@admin.register(CreditRequest)
class CreditRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "account", "amount", "status", "requested_by", "decided_by", "decided_at", "created_at"]
    list_filter = ["status"]
    actions = ["approve", "reject"]

    def _decide(self, request, queryset, decide, verb):
        if not request.user.has_perm("wallet.decide_creditrequest"):
            self.message_user(request, "You may not decide credit requests.", messages.ERROR)
            return
        done = 0
        for credit_request in queryset.order_by("pk"):
            try:
                decide(credit_request=credit_request, decided_by=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"#{credit_request.pk}: {exc.message}", messages.WARNING)
        self.message_user(request, f"{verb} {done} credit request(s).")

    @admin.action(description="Approve selected credit requests (credits each once)")
    def approve(self, request, queryset):
        self._decide(request, queryset, services.credit_request_approve, "Approved")

    @admin.action(description="Reject selected credit requests")
    def reject(self, request, queryset):
        self._decide(request, queryset, services.credit_request_reject, "Rejected")

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or request.user.has_perm("wallet.decide_creditrequest")
