"""Automatic and manual assignment of leads to agents."""
from django.db import transaction
from django.db.models import Count

from forecourt_core.signals import send_on_commit

from ..errors import NotAnAgent
from ..models import OPEN_STATUSES, AgentProfile, AssignmentRule, Lead
from ..signals import lead_assigned
from .events import record_lead_assigned


def _locked_rule() -> AssignmentRule:
    """The singleton rule, row-locked until the caller's transaction ends (created on first use)."""
    rule = AssignmentRule.objects.select_for_update().filter(pk=1).first()
    if rule is None:
        # INSERT ... ON CONFLICT DO NOTHING: two first-ever creations can't both insert it.
        AssignmentRule.objects.bulk_create([AssignmentRule(pk=1)], ignore_conflicts=True)
        rule = AssignmentRule.objects.select_for_update().get(pk=1)
    return rule


@transaction.atomic
def assignment_rule_update(*, strategy: str) -> AssignmentRule:
    if strategy not in AssignmentRule.Strategy.values:
        raise ValueError(f"unknown strategy {strategy!r}")
    rule = _locked_rule()
    rule.strategy = strategy
    rule.save(update_fields=["strategy", "updated_at"])
    return rule


def pick_agent_id() -> int | None:
    """The user id the next new lead goes to, or None (manual strategy, no active agent).

    Must run inside the transaction that saves the lead: the rule row stays locked until it
    commits, so concurrent creations take turns and each one sees the previous one's lead.
    """
    assert transaction.get_connection().in_atomic_block, "pick_agent_id needs the caller's transaction"
    rule = _locked_rule()
    if rule.strategy == AssignmentRule.Strategy.MANUAL:
        return None
    agent_ids = list(AgentProfile.objects.filter(is_active=True).order_by("user_id").values_list("user_id", flat=True))
    if not agent_ids:
        return None
    if rule.strategy == AssignmentRule.Strategy.ROUND_ROBIN:
        last = rule.last_agent_id
        chosen = next((a for a in agent_ids if last is None or a > last), agent_ids[0])
        rule.last_agent_id = chosen
        rule.save(update_fields=["last_agent_id", "updated_at"])
        return chosen
    open_counts = dict(
        Lead.objects.filter(agent_id__in=agent_ids, status__in=OPEN_STATUSES)
        .values("agent_id").annotate(n=Count("id")).values_list("agent_id", "n")
    )
    return min(agent_ids, key=lambda a: (open_counts.get(a, 0), a))


def ensure_active_agent(agent) -> None:
    if not AgentProfile.objects.filter(user=agent, is_active=True).exists():
        raise NotAnAgent()


@transaction.atomic
def lead_assign(*, lead: Lead, agent, by=None) -> Lead:
    """Assign ``lead`` to ``agent`` (an active agent) or unassign it (agent=None)."""
    if agent is not None:
        ensure_active_agent(agent)
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    previous_id = locked.agent_id
    new_id = agent.pk if agent is not None else None
    if previous_id == new_id:
        return locked
    locked.agent_id = new_id
    locked._history_user = by
    locked._change_reason = "assigned"
    locked.save(update_fields=["agent", "updated_at"])
    send_on_commit(lead_assigned, sender=Lead, lead=locked, agent=agent, previous_agent_id=previous_id, by=by)
    record_lead_assigned(lead=locked, previous_agent_id=previous_id, by=by)
    return locked
