from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name

from tenancy.models import Dealership, DealershipFollow, Membership


def membership_role(*, user, schema_name: str) -> str | None:
    return (
        Membership.objects.filter(user=user, dealership__schema_name=schema_name, is_active=True)
        .values_list("role", flat=True)
        .first()
    )


def dealership_list_for(*, user) -> QuerySet[Dealership]:
    qs = Dealership.objects.exclude(schema_name=get_public_schema_name()).prefetch_related("domains")
    return qs if user.is_staff else qs.filter(memberships__user=user, memberships__is_active=True)


def dealership_members(*, schema_name: str, roles: list[str]) -> list:
    """The active members of a dealership holding one of ``roles`` (users, one query)."""
    return [m.user for m in Membership.objects.filter(dealership__schema_name=schema_name, role__in=roles,
                                                      is_active=True).select_related("user")]


def dealership_followers(*, schema_name: str) -> list:
    return [f.user for f in DealershipFollow.objects.filter(dealership__schema_name=schema_name).select_related("user")]


def member_list(*, dealership: Dealership) -> QuerySet[Membership]:
    """Everyone who is or was a member, active first."""
    return (Membership.objects.filter(dealership=dealership).select_related("user", "dealership")
            .order_by("-is_active", "role", "user__username"))


def member_get(*, dealership: Dealership, pk) -> Membership:
    """A membership of ``dealership``; another dealership's is not found, like a missing one."""
    from tenancy.errors import MemberNotFound

    try:
        return member_list(dealership=dealership).get(pk=int(pk))
    except (Membership.DoesNotExist, TypeError, ValueError):
        raise MemberNotFound() from None
