from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AgentProfile, AssignmentRule, Commission, CommissionRule, Lead, Sale


@admin.register(Lead)
class LeadAdmin(SimpleHistoryAdmin):
    list_display = ["id", "car", "buyer", "contact_name", "source", "agent", "status", "created_at"]
    list_filter = ["status", "source"]
    raw_id_fields = ["car", "buyer", "agent"]
    # Status and agent change only through the services (pipeline table, signals).
    readonly_fields = ["status", "agent", "lost_reason", "first_contact_at", "closed_at"]


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "is_active"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["user"]


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(admin.ModelAdmin):
    list_display = ["strategy", "last_agent_id", "updated_at"]


@admin.register(Sale)
class SaleAdmin(admin.ModelAdmin):
    list_display = ["id", "car_key", "buyer_name", "agent", "agreed_price", "payment", "sold_on"]
    readonly_fields = [f.name for f in Sale._meta.fields]


@admin.register(CommissionRule)
class CommissionRuleAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "percent", "amount", "role", "agent", "is_active"]


@admin.register(Commission)
class CommissionAdmin(admin.ModelAdmin):
    list_display = ["id", "sale", "agent", "amount", "status", "paid_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Commission._meta.fields]
