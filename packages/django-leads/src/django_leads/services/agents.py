"""Who leads can be assigned to. The site fills this from its memberships (agent_sync)."""
from collections.abc import Iterable

from django.db import transaction

from ..models import AgentProfile, AgentRole


@transaction.atomic
def agent_upsert(*, user, role: str = AgentRole.SALES_AGENT, is_active: bool = True) -> AgentProfile:
    profile, _ = AgentProfile.objects.update_or_create(user=user, defaults={"role": role, "is_active": is_active})
    return profile


@transaction.atomic
def agent_deactivate(*, user) -> None:
    """Stop assigning to ``user``; their existing leads stay with them until reassigned."""
    AgentProfile.objects.filter(user=user).update(is_active=False)


@transaction.atomic
def agent_sync(*, agents: Iterable[tuple[object, str]]) -> list[AgentProfile]:
    """Make the active agents exactly ``agents`` (pairs of user and role); everyone else is deactivated."""
    profiles = [agent_upsert(user=user, role=role, is_active=True) for user, role in agents]
    AgentProfile.objects.exclude(pk__in=[p.pk for p in profiles]).update(is_active=False)
    return profiles
