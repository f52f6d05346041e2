"""Domain signals are sent once, after the transaction commits, with the documented arguments."""
from decimal import Decimal

import pytest

from django_leads import services, signals
from django_leads.models import AgentRole, LeadStatus


@pytest.fixture
def received():
    log = []
    handlers = {}
    for name in ("lead_created", "lead_assigned", "lead_status_changed", "sale_closed", "commission_paid"):
        def handler(sender, _name=name, **kwargs):
            log.append((_name, kwargs))
        handlers[name] = handler
        getattr(signals, name).connect(handler)
    yield log
    for name, handler in handlers.items():
        getattr(signals, name).disconnect(handler)


@pytest.mark.django_db
def test_signals_fire_on_commit_only(received, make_agent, make_car, django_capture_on_commit_callbacks):
    agent = make_agent()
    services.commission_rule_set(kind="flat", amount=Decimal("5.00"), role=AgentRole.SALES_AGENT)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        services.lead_create(car=make_car(), contact_name="x")
    assert received == [] and len(pending) == 2  # nothing before commit

    with django_capture_on_commit_callbacks(execute=True):
        lead = services.lead_create(car=make_car(), contact_name="y")
        services.lead_transition(lead=lead, status=LeadStatus.CONTACTED, by=agent)
        services.lead_transition(lead=lead, status=LeadStatus.QUALIFIED, by=agent)
        services.lead_transition(lead=lead, status=LeadStatus.NEGOTIATING, by=agent)
        sale = services.lead_win(lead=lead, by=agent, agreed_price=Decimal("10.00"), payment="offline")
        services.commission_payout(commission=sale.commissions.get())
    names = [name for name, _ in received]
    assert names == ["lead_created", "lead_assigned", "lead_status_changed", "lead_status_changed",
                     "lead_status_changed", "lead_status_changed", "sale_closed", "commission_paid"]
    assigned = received[1][1]
    assert (assigned["lead"].pk, assigned["agent"].pk, assigned["previous_agent_id"]) == (lead.pk, agent.pk, None)
    won = received[5][1]
    assert (won["old_status"], won["new_status"], won["by"]) == ("negotiating", "won", agent)
    assert received[6][1]["sale"].pk == sale.pk
    assert received[7][1]["commission"].status == "paid"
