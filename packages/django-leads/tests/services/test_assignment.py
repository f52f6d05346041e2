"""Automatic assignment (round robin, least open), manual assignment and the agent list."""
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from django_leads import services
from django_leads.errors import NotAnAgent
from django_leads.models import AssignmentRule, Lead, LeadStatus


@pytest.mark.django_db
def test_round_robin_cycles_through_active_agents_in_order(make_agent, make_lead):
    a, b, c = make_agent(), make_agent(), make_agent()
    assert [make_lead().agent_id for _ in range(7)] == [a.pk, b.pk, c.pk, a.pk, b.pk, c.pk, a.pk]
    services.agent_deactivate(user=b)
    assert [make_lead().agent_id for _ in range(3)] == [c.pk, a.pk, c.pk]


@pytest.mark.django_db
def test_least_open_picks_the_agent_with_fewest_open_leads(make_agent, make_lead):
    a, b = make_agent(), make_agent()
    services.assignment_rule_update(strategy=AssignmentRule.Strategy.LEAST_OPEN)
    for _ in range(3):
        make_lead(agent=a)
    make_lead(agent=b)
    assert make_lead().agent_id == b.pk  # b: 1 open, a: 3
    assert make_lead().agent_id == b.pk  # b: 2 open
    # Closed leads don't count as load.
    Lead.objects.filter(agent=a).update(status=LeadStatus.LOST, lost_reason="x", closed_at="2026-01-01T00:00Z")
    assert make_lead().agent_id == a.pk


@pytest.mark.django_db
def test_manual_strategy_and_no_agents_leave_leads_unassigned(make_agent, make_lead):
    assert make_lead().agent_id is None  # nobody to assign to
    make_agent()
    services.assignment_rule_update(strategy=AssignmentRule.Strategy.MANUAL)
    assert make_lead().agent_id is None


@pytest.mark.django_db
def test_manual_assignment_only_to_active_agents(make_agent, make_user, make_lead):
    lead = make_lead()
    with pytest.raises(NotAnAgent):
        services.lead_assign(lead=lead, agent=make_user())
    agent = make_agent()
    services.agent_deactivate(user=agent)
    with pytest.raises(NotAnAgent):
        services.lead_assign(lead=lead, agent=agent)
    with pytest.raises(NotAnAgent):
        services.lead_create(car=lead.car, contact_name="x", agent=agent)


@pytest.mark.django_db
def test_agent_sync_makes_the_active_set_exactly_the_given_users(make_user):
    a, b, c = make_user(), make_user(), make_user()
    services.agent_sync(agents=[(a, "sales_agent"), (b, "broker")])
    services.agent_sync(agents=[(b, "sales_agent"), (c, "broker")])
    from django_leads.models import AgentProfile

    assert dict(AgentProfile.objects.values_list("user_id", "is_active")) == {a.pk: False, b.pk: True, c.pk: True}
    assert AgentProfile.objects.get(user=b).role == "sales_agent"


@pytest.mark.django_db(transaction=True)
def test_100_concurrent_creations_over_4_agents_land_25_each(make_agent, make_car):
    agents = [make_agent() for _ in range(4)]
    car = make_car()
    workers = 12
    barrier = threading.Barrier(workers)
    errors = []

    def create_batch(batch: int) -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(batch):
                services.lead_create(car=car, contact_name="walk-in")
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    batches = [100 // workers + (1 if i < 100 % workers else 0) for i in range(workers)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(create_batch, batches))
    assert errors == []
    counts = Counter(Lead.objects.values_list("agent_id", flat=True))
    assert counts == {a.pk: 25 for a in agents}
