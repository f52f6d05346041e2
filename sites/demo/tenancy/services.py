"""Creating dealerships and giving people roles in them."""
import re

from django.conf import settings
from django.db import IntegrityError, transaction

from tenancy.errors import DealershipExists, InvalidSlug
from tenancy.models import Dealership, DealershipFollow, Domain, Membership

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,29}$")
RESERVED_SLUGS = {"public", "www", "api", "admin", "static", "media", "pg", "information-schema"}


def dealership_domain(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def public_tenant_ensure() -> Dealership:
    """The public schema's tenant row and the marketplace domain (idempotent)."""
    tenant, _ = Dealership.objects.get_or_create(
        schema_name="public", defaults={"name": "Forecourt marketplace", "slug": "public"}
    )
    Domain.objects.get_or_create(domain=settings.BASE_DOMAIN, defaults={"tenant": tenant, "is_primary": True})
    return tenant


def _agent_sync(membership: Membership) -> None:
    """Sales agents and brokers are the CRM's assignable agents in their dealership's schema."""
    from django_tenants.utils import schema_context

    from accounts.roles import BROKER, SALES_AGENT
    from django_leads.services import agent_deactivate, agent_upsert

    with schema_context(membership.dealership.schema_name):
        if membership.is_active and membership.role in {SALES_AGENT, BROKER}:
            agent_upsert(user=membership.user, role=membership.role)
        else:
            agent_deactivate(user=membership.user)


@transaction.atomic
def membership_grant(*, user, dealership: Dealership, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, dealership=dealership, defaults={"role": role, "is_active": True}
    )
    _agent_sync(membership)
    return membership


@transaction.atomic
def membership_revoke(*, user, dealership: Dealership) -> None:
    for membership in Membership.objects.filter(user=user, dealership=dealership, is_active=True):
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        _agent_sync(membership)


def dealership_create(*, name: str, slug: str, owner=None) -> Dealership:
    """Create the dealership, its schema (migrated), its domain, its wallet and the owner's dealer role.

    The schema is created by TenantMixin.save() outside of any surrounding
    transaction (CREATE SCHEMA + migrations), so this is not wrapped in one.
    """
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        raise InvalidSlug()
    schema_name = slug.replace("-", "_")
    if Dealership.objects.filter(slug=slug).exists() or Dealership.objects.filter(schema_name=schema_name).exists():
        raise DealershipExists()
    try:
        dealership = Dealership(schema_name=schema_name, name=name, slug=slug)
        dealership.save(verbosity=0)
    except IntegrityError as exc:  # a concurrent create of the same slug
        raise DealershipExists() from exc
    with transaction.atomic():
        Domain.objects.create(domain=dealership_domain(slug), tenant=dealership, is_primary=True)
        if owner is not None:
            from accounts.roles import DEALER

            membership_grant(user=owner, dealership=dealership, role=DEALER)
        from django_wallet.services import account_for

        account_for(dealership)
    return dealership


def dealership_follow(*, user, dealership: Dealership) -> DealershipFollow:
    """Idempotent: following twice keeps one follow."""
    follow, _ = DealershipFollow.objects.get_or_create(user=user, dealership=dealership)
    return follow


def dealership_unfollow(*, user, dealership: Dealership) -> None:
    DealershipFollow.objects.filter(user=user, dealership=dealership).delete()
