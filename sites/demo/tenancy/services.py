"""Creating dealerships and giving people roles in them."""
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test.utils import override_settings
from django_tenants.models import TenantMixin
from django_tenants.signals import post_schema_sync
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.roles import BROKER, DEALER, ROLE_CHOICES, ROLES_MANAGED_BY, SALES_AGENT
from django_leads.services import agent_deactivate, agent_upsert
from django_wallet.services import account_for
from django_wallet.services import transfer as wallet_transfer
from tenancy.errors import (
    AlreadyMember,
    AmbiguousUser,
    DealershipExists,
    InvalidSlug,
    NotAMember,
    OwnMembership,
    RoleNotAllowed,
    UnknownUser,
)
from tenancy.models import Dealership, DealershipFollow, Domain, Membership
from tenancy.schemas import schema_create_empty

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,29}$")
RESERVED_SLUGS = {"public", "www", "api", "admin", "static", "media", "pg", "information-schema"}


def dealership_domain(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def public_tenant_ensure() -> Dealership:
    """The public schema's tenant row and the marketplace domain (idempotent)."""
    tenant, _ = Dealership.objects.get_or_create(
        schema_name=get_public_schema_name(), defaults={"name": "Forecourt marketplace", "slug": "public"}
    )
    Domain.objects.get_or_create(domain=settings.BASE_DOMAIN, defaults={"tenant": tenant, "is_primary": True})
    return tenant


def _agent_sync(membership: Membership) -> None:
    """Sales agents and brokers are the CRM's assignable agents in their dealership's schema."""
    with schema_context(membership.dealership.schema_name):
        if membership.is_active and membership.role in {SALES_AGENT, BROKER}:
            agent_upsert(user=membership.user, role=membership.role)
        else:
            agent_deactivate(user=membership.user)


@transaction.atomic
def membership_grant(*, user, dealership: Dealership, role: str) -> Membership:
    """Give ``user`` ``role`` (active) in ``dealership``, unchecked: for code acting on its own authority."""
    return membership_set(user=user, dealership=dealership, role=role, is_active=True)


@transaction.atomic
def membership_revoke(*, user, dealership: Dealership) -> None:
    for membership in Membership.objects.filter(user=user, dealership=dealership, is_active=True):
        membership_set(user=user, dealership=dealership, role=membership.role, is_active=False)


def roles_managed_by(*, by, dealership: Dealership) -> frozenset[str]:
    """The roles ``by`` may give, change or take away in ``dealership`` (empty: none)."""
    if by.is_staff and by.is_active:
        return frozenset(role for role, _ in ROLE_CHOICES)
    role = (Membership.objects.filter(user=by, dealership=dealership, is_active=True)
            .values_list("role", flat=True).first())
    return ROLES_MANAGED_BY.get(role, frozenset())


@transaction.atomic
def membership_set(*, user, dealership: Dealership, role: str, is_active: bool, by=None) -> Membership:
    """The one write of a membership (pages, API, admin, seeding): checks ``by``, then syncs the CRM's agents.

    ``by`` None is the system itself (dealership creation, seeding). Otherwise ``by`` may touch only
    memberships whose old and new roles it manages, and never its own. The row is locked so two
    managers editing the same member apply one after the other.
    """
    current = (Membership.objects.select_for_update().select_related("dealership", "user")
               .filter(user=user, dealership=dealership).first())
    if by is not None:
        if by.pk == user.pk:
            raise OwnMembership()
        managed = roles_managed_by(by=by, dealership=dealership)
        if role not in managed or (current is not None and current.is_active and current.role not in managed):
            raise RoleNotAllowed()
    if current is None:
        current = Membership.objects.create(user=user, dealership=dealership, role=role, is_active=is_active)
    elif (current.role, current.is_active) != (role, is_active):
        current.role, current.is_active = role, is_active
        current.save(update_fields=["role", "is_active"])
    _agent_sync(current)
    return current


def _user_by_identifier(identifier: str):
    """The user with this username, else the one user with this e-mail address (both case-insensitive)."""
    User = get_user_model()  # noqa: N806
    identifier = (identifier or "").strip()
    if not identifier:
        raise UnknownUser()
    by_name = User.objects.filter(username__iexact=identifier, is_active=True).first()
    if by_name is not None:
        return by_name
    by_email = list(User.objects.filter(email__iexact=identifier, is_active=True)[:2])
    if len(by_email) > 1:
        raise AmbiguousUser()
    if not by_email:
        raise UnknownUser()
    return by_email[0]


@transaction.atomic
def member_add(*, dealership: Dealership, identifier: str, role: str, by) -> Membership:
    """Add an existing user, found by username or e-mail, with ``role``; a former member comes back."""
    user = _user_by_identifier(identifier)
    if Membership.objects.filter(user=user, dealership=dealership, is_active=True).exists():
        raise AlreadyMember()
    return membership_set(user=user, dealership=dealership, role=role, is_active=True, by=by)


def member_role_change(*, membership: Membership, role: str, by) -> Membership:
    return membership_set(user=membership.user, dealership=membership.dealership, role=role,
                          is_active=membership.is_active, by=by)


def member_deactivate(*, membership: Membership, by) -> Membership:
    """The member loses their role here (and stops being an assignable agent); their history stays."""
    return membership_set(user=membership.user, dealership=membership.dealership, role=membership.role,
                          is_active=False, by=by)


def dealership_pay_member(*, dealership: Dealership, member, amount, memo: str = "", by,
                          idempotency_key: str | None = None):
    """Move money from the dealership's wallet to an active member's own wallet (one balanced transfer)."""
    if not Membership.objects.filter(user=member, dealership=dealership, is_active=True).exists():
        raise NotAMember()
    return wallet_transfer(source=account_for(dealership), destination=account_for(member),
                           amount=amount, kind="dealership_payout",
                           memo=memo or f"From {dealership.name} to {member.get_username()}",
                           metadata={"by": by.pk}, idempotency_key=idempotency_key,
                           idempotency_scope=f"tenancy.pay_member:{dealership.pk}")


def dealership_create(*, name: str, slug: str, owner=None, phone_region: str = "") -> Dealership:
    """Create the dealership, its schema (built by tenancy.schemas), its domain, its wallet and the owner's role.

    The schema is created by TenantMixin.save() outside of any surrounding
    transaction (CREATE SCHEMA + migrations), so this is not wrapped in one.
    `dealership.schema_build_method` tells whether its schema was replayed or migrated.
    """
    schema_name = _free_schema_name(slug)
    try:
        dealership = Dealership(schema_name=schema_name, name=name, slug=slug, phone_region=phone_region)
        dealership.save(verbosity=0)
    except IntegrityError as exc:  # a concurrent create of the same slug
        raise DealershipExists() from exc
    dealership_open(dealership, owner=owner)
    return dealership


def dealership_open(dealership: Dealership, *, owner=None) -> None:
    """Give a dealership whose schema is ready its domain (which makes it reachable), wallet and owner."""
    with transaction.atomic():
        Domain.objects.create(domain=dealership_domain(dealership.slug), tenant=dealership, is_primary=True)
        if owner is not None:
            membership_grant(user=owner, dealership=dealership, role=DEALER)
        account_for(dealership)


def _free_schema_name(slug: str) -> str:
    """The schema name for a valid, unused slug; raises InvalidSlug or DealershipExists."""
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        raise InvalidSlug()
    schema_name = slug.replace("-", "_")
    if Dealership.objects.filter(slug=slug).exists() or Dealership.objects.filter(schema_name=schema_name).exists():
        raise DealershipExists()
    return schema_name


def dealerships_create_parallel(specs: list[tuple[str, str]], *, processes: int = 2,
                                on_step=lambda label: None) -> list[Dealership]:
    """Create many dealerships, (name, slug) each; django-tenants' multiprocessing executor migrates them.

    The rows and empty schemas come first, then `migrate_schemas --executor=multiprocessing` migrates
    every dealership schema (a no-op for those already migrated), then domains and wallets open them.
    For bulk seeding and benchmarks: until the last step the new dealerships have no domain.
    """
    created = []
    for name, slug in specs:
        dealership = Dealership(schema_name=_free_schema_name(slug), name=name, slug=slug)
        dealership.auto_create_schema = False
        dealership.save(verbosity=0)
        schema_create_empty(dealership.schema_name)
        created.append(dealership)
        on_step(f"{slug} (empty schema)")
    with override_settings(TENANT_MULTIPROCESSING_MAX_PROCESSES=processes, TENANT_MULTIPROCESSING_CHUNKS=1):
        call_command("migrate_schemas", tenant=True, executor="multiprocessing", interactive=False, verbosity=0)
    for dealership in created:
        dealership.schema_build_method = "migrated (multiprocessing)"
        post_schema_sync.send(sender=TenantMixin, tenant=dealership)
        dealership_open(dealership)
        on_step(f"{dealership.slug} (migrated, open)")
    return created


def dealership_follow(*, user, dealership: Dealership) -> DealershipFollow:
    """Idempotent: following twice keeps one follow."""
    follow, _ = DealershipFollow.objects.get_or_create(user=user, dealership=dealership)
    return follow


def dealership_unfollow(*, user, dealership: Dealership) -> None:
    DealershipFollow.objects.filter(user=user, dealership=dealership).delete()
