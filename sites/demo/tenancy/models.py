"""Dealerships (one PostgreSQL schema each), their domains, and who works there.

All three live in the public schema. A Membership gives a global user one role
in one dealership; accounts.backends turns that role into Django permissions
while a request runs in that dealership's schema.
"""
from django.conf import settings
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

from accounts.roles import ROLE_CHOICES


class Dealership(TenantMixin):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=40, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        permissions = [("manage_members", "Can manage dealership members"),
                       ("view_dashboard", "Can view the dealership dashboard")]

    def __str__(self) -> str:
        return self.name


class Domain(DomainMixin):
    pass


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    dealership = models.ForeignKey(Dealership, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=ROLE_CHOICES)
    is_active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "dealership"], name="one_role_per_dealership")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.dealership}: {self.role}"


class DealershipFollow(models.Model):
    """A user following a dealership hears of its new listings (see demo/wiring.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_dealerships")
    dealership = models.ForeignKey(Dealership, on_delete=models.CASCADE, related_name="followers")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "dealership"], name="follow_dealership_once")]

    def __str__(self) -> str:
        return f"{self.user} follows {self.dealership}"
