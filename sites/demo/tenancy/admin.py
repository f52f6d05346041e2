from django.contrib import admin, messages

from tenancy.models import Dealership, Domain, Membership
from tenancy.services import dealership_create, membership_set


def _membership_save(request, obj: Membership) -> None:
    """Every admin edit of a membership goes through the one service (its checks and the CRM sync)."""
    saved = membership_set(user=obj.user, dealership=obj.dealership, role=obj.role, is_active=obj.is_active,
                           by=request.user)
    obj.pk = saved.pk


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    can_delete = False  # deactivate instead: the history stays


@admin.register(Dealership)
class DealershipAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "schema_name", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [DomainInline, MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        return ["schema_name", "slug"] if obj else ["schema_name"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # Same path as the API: schema, domain, wallet account.
        created = dealership_create(name=obj.name, slug=obj.slug, phone_region=obj.phone_region)
        obj.pk, obj.schema_name = created.pk, created.schema_name
        messages.info(request, f"Schema {created.schema_name} created and migrated.")

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        for membership in formset.save(commit=False):
            _membership_save(request, membership)
        formset.save_m2m()
        return None

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "dealership", "role", "is_active"]
    list_filter = ["role", "dealership"]
    autocomplete_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "dealership"] if obj else []

    def save_model(self, request, obj, form, change):
        _membership_save(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the history stays
