"""Dealerships (one PostgreSQL schema each), their domains, and who works there.

All three live in the public schema. A Membership gives a global user one role
in one dealership; accounts.backends turns that role into Django permissions
while a request runs in that dealership's schema.
"""
import phonenumbers
from django.conf import settings
from django.db import connection, models
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import schema_exists

from accounts.roles import ROLE_CHOICES

PHONE_REGIONS = ["", *sorted(phonenumbers.SUPPORTED_REGIONS)]


class Dealership(TenantMixin):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    phone_region = models.CharField(
        max_length=2, blank=True, default="",
        help_text="Region (ISO 3166, e.g. GB) of phone numbers written without +country on this dealership's "
                  "host; empty: the deployment's FORECOURT_PHONE_REGION")

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        permissions = [("manage_members", "Can manage dealership members"),
                       ("view_dashboard", "Can view the dealership dashboard")]

    def __str__(self) -> str:
        return self.name

    def create_schema(self, check_if_exists=False, sync_schema=True, verbosity=1):
        """Build the schema by replaying recorded migration SQL (tenancy/schemas.py), else django-tenants' way.

        TenantMixin.save() calls this for a new dealership; `schema_build_method` tells how it went.
        """
        from tenancy import citus, schemas  # here: tenancy.schemas imports this module

        if not sync_schema or not schemas.wants_replay():
            if citus.enabled():
                with connection.cursor() as cursor:
                    citus.session_prepare(cursor)  # distributed when created (tenancy/citus.py)
            created = super().create_schema(check_if_exists, sync_schema, verbosity)
            self.schema_build_method = schemas.MIGRATED if sync_schema and created is not False else ""
            return created
        if check_if_exists and schema_exists(self.schema_name):
            return False
        self.schema_build_method = schemas.schema_build(self.schema_name, verbosity=verbosity)
        return True


class Domain(DomainMixin):
    pass


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    dealership = models.ForeignKey(Dealership, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=ROLE_CHOICES)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "dealership"], name="one_role_per_dealership")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.dealership}: {self.role}"


class DealershipFollow(models.Model):
    """A user following a dealership hears of its new listings (see demo/glue/wiring.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_dealerships")
    dealership = models.ForeignKey(Dealership, on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "dealership"], name="follow_dealership_once")]

    def __str__(self) -> str:
        return f"{self.user} follows {self.dealership}"


class SchemaRecipe(models.Model):
    """The SQL a new dealership schema's migrations ran, recorded once per set of migration files.

    tenancy/schemas.py replays it to build the next schemas; `fingerprint` changes with any migration
    file, the Django version or the PostgreSQL version, so a recipe is never replayed against other
    migrations. `replayable` is False when the migrations wrote rows outside the schema editor
    (RunPython, post_migrate handlers): such schemas are migrated, never replayed.
    """

    fingerprint = models.CharField(max_length=64, unique=True)
    statements = models.JSONField(default=list)
    migrations = models.JSONField(default=list)  # [[app, name], ...] in the order they were applied
    replayable = models.BooleanField(default=True)
    not_replayable_because = models.TextField(blank=True)
    recorded_from = models.CharField(max_length=63)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"schema recipe {self.fingerprint[:12]} ({len(self.statements)} statements)"
