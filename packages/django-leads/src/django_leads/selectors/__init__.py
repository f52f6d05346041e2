"""Every read of the leads package that is more than a .get(); import from here."""
from .analytics import agent_performance, dashboard, lead_summary, leads_over_time
from .leads import (
    active_agent,
    agent_list,
    agent_work,
    can_edit,
    can_see_all,
    commission_get,
    commission_list,
    commission_rules,
    lead_count_for_car,
    lead_get,
    lead_list,
    lead_timeline,
    lead_visible_qs,
    sale_list,
)

__all__ = [
    "agent_performance", "dashboard", "lead_summary", "leads_over_time",
    "active_agent", "agent_list", "agent_work",
    "can_edit", "can_see_all", "commission_get", "commission_list", "commission_rules",
    "lead_count_for_car",
    "lead_get", "lead_list", "lead_timeline", "lead_visible_qs", "sale_list",
]
