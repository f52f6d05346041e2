"""Every change of a lead is in its history, with who and when; the timeline shows the diffs."""
import pytest
from django.utils import timezone

from django_leads import selectors, services
from django_leads.models import LeadStatus

from ..conftest import grant


@pytest.mark.django_db
def test_history_records_who_when_and_what(make_car, make_user, make_agent):
    staff = make_user(username="staff")
    agent = make_agent(username="agent")
    services.assignment_rule_update(strategy="manual")
    before = timezone.now()
    lead = services.lead_create(car=make_car(), by=staff, contact_name="Ann", contact_phone="+44 20 7946 0958")
    services.lead_assign(lead=lead, agent=agent, by=grant(staff, "leads.assign_lead"))
    services.lead_transition(lead=lead, status=LeadStatus.CONTACTED, by=agent)
    services.lead_update(lead=lead, by=agent, notes="Wants a test drive")
    after = timezone.now()

    timeline = selectors.lead_timeline(lead=lead)
    assert [(e["type"], e["by"], e["by_name"]) for e in timeline] == [
        ("created", staff.pk, "staff"), ("changed", staff.pk, "staff"),
        ("changed", agent.pk, "agent"), ("changed", agent.pk, "agent"),
    ]
    assert all(before <= e["at"] <= after for e in timeline)
    assert [e["at"] for e in timeline] == sorted(e["at"] for e in timeline)
    assert timeline[1]["reason"] == "assigned"
    assert timeline[1]["changes"] == [{"field": "agent", "old": None, "new": agent.pk}]
    status_change = {c["field"]: (c["old"], c["new"]) for c in timeline[2]["changes"]}
    assert status_change["status"] == ("new", "contacted")
    assert status_change["first_contact_at"][0] is None and status_change["first_contact_at"][1] is not None
    assert timeline[3]["changes"] == [{"field": "notes", "old": "", "new": "Wants a test drive"}]


@pytest.mark.django_db
def test_refused_change_leaves_no_history(make_lead, make_user):
    lead = make_lead()
    with pytest.raises(Exception):  # noqa: B017 - any refusal; the point is nothing was written
        services.lead_transition(lead=lead, status=LeadStatus.WON, by=make_user())
    assert lead.history.count() == 1
