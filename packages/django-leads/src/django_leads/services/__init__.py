"""Every write of the leads package. Keyword-only, typed, atomic; import from here."""
from .agents import agent_deactivate, agent_sync, agent_upsert
from .assignment import assignment_rule_update, lead_assign, pick_agent_id
from .commissions import (
    commission_accrue,
    commission_payout,
    commission_payout_accrued,
    commission_rule_for,
    commission_rule_set,
)
from .leads import lead_create, lead_create_from_contact, lead_transition, lead_update, normalize_phone
from .sales import lead_win

__all__ = [
    "agent_deactivate", "agent_sync", "agent_upsert",
    "assignment_rule_update", "lead_assign", "pick_agent_id",
    "commission_accrue", "commission_payout", "commission_payout_accrued", "commission_rule_for",
    "commission_rule_set",
    "lead_create", "lead_create_from_contact", "lead_transition", "lead_update", "normalize_phone",
    "lead_win", "lead_update_status",
]


def lead_update_status(*, lead, status: str, by=None, lost_reason: str = "", agreed_price=None,
                       payment: str | None = None, sold_on=None, idempotency_key: str | None = None):
    """One entry point for the API's update_status: won closes a sale, anything else is a transition.

    Returns the updated Lead.
    """
    from ..errors import SaleDetailsRequired
    from ..models import Lead, LeadStatus
    from ..pipeline import check_transition

    if status == LeadStatus.WON:
        if not payment or (agreed_price is None and payment != "platform"):
            check_transition(current=lead.status, target=status, user=by)  # 409 beats 400
            raise SaleDetailsRequired()
        lead_win(lead=lead, by=by, agreed_price=agreed_price, payment=payment, sold_on=sold_on,
                 idempotency_key=idempotency_key)
        return Lead.objects.get(pk=lead.pk)
    return lead_transition(lead=lead, status=status, by=by, lost_reason=lost_reason)
