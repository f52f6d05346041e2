"""The transition table: every allowed pair works, every other pair is refused with 409."""
import itertools
from decimal import Decimal

import pytest

from django_leads import services
from django_leads.errors import InvalidTransition, LostReasonRequired, SaleDetailsRequired, TransitionNotPermitted
from django_leads.models import LeadStatus
from django_leads.pipeline import TRANSITIONS, allowed_targets

from ..conftest import grant

S = LeadStatus
ALL_PAIRS = [(a, b) for a, b in itertools.product(S.values, S.values) if a != b]
EXPECTED_ALLOWED = {
    ("new", "contacted"), ("new", "lost"), ("contacted", "qualified"), ("contacted", "lost"),
    ("qualified", "negotiating"), ("qualified", "lost"), ("negotiating", "won"), ("negotiating", "lost"),
    ("lost", "contacted"),
}


def test_table_is_exactly_the_documented_pipeline():
    assert set(TRANSITIONS) == EXPECTED_ALLOWED
    assert allowed_targets(S.WON) == []  # won is final


def _move(lead, target, user):
    if target == S.WON:
        return services.lead_update_status(lead=lead, status=target, by=user, agreed_price=Decimal("100.00"),
                                           payment="offline")
    return services.lead_update_status(lead=lead, status=target, by=user, lost_reason="too expensive")


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target"), sorted(EXPECTED_ALLOWED))
def test_allowed_transition(current, target, make_lead, make_user):
    user = grant(make_user(), "leads.reopen_lead")
    lead = make_lead(status=current)
    _move(lead, target, user)
    lead.refresh_from_db()
    assert lead.status == target
    assert (lead.closed_at is not None) == (target in (S.WON, S.LOST))
    assert lead.lost_reason == ("too expensive" if target == S.LOST else "")
    if target == S.CONTACTED:
        assert lead.first_contact_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target"), sorted(set(ALL_PAIRS) - EXPECTED_ALLOWED))
def test_refused_transition(current, target, make_lead, make_user):
    user = grant(make_user(), "leads.reopen_lead")
    lead = make_lead(status=current)
    with pytest.raises(InvalidTransition) as exc:
        _move(lead, target, user)
    assert exc.value.status == 409 and exc.value.code == "invalid_transition"
    lead.refresh_from_db()
    assert lead.status == current


@pytest.mark.django_db
def test_reopen_needs_permission(make_lead, make_user):
    lead = make_lead(status=S.LOST)
    with pytest.raises(TransitionNotPermitted):
        services.lead_transition(lead=lead, status=S.CONTACTED, by=make_user())
    lead.refresh_from_db()
    assert lead.status == S.LOST
    services.lead_transition(lead=lead, status=S.CONTACTED, by=grant(make_user(), "leads.reopen_lead"))
    lead.refresh_from_db()
    assert (lead.status, lead.lost_reason, lead.closed_at) == (S.CONTACTED, "", None)


@pytest.mark.django_db
def test_first_contact_is_kept_on_reopen(make_lead, make_user):
    user = grant(make_user(), "leads.reopen_lead")
    lead = make_lead()
    lead = services.lead_transition(lead=lead, status=S.CONTACTED, by=user)
    first = lead.first_contact_at
    services.lead_transition(lead=lead, status=S.LOST, by=user, lost_reason="no budget")
    lead = services.lead_transition(lead=lead, status=S.CONTACTED, by=user)
    assert lead.first_contact_at == first


@pytest.mark.django_db
def test_lost_needs_reason_and_won_needs_sale_details(make_lead, make_user):
    user = make_user()
    with pytest.raises(LostReasonRequired):
        services.lead_transition(lead=make_lead(), status=S.LOST, by=user, lost_reason="  ")
    with pytest.raises(SaleDetailsRequired):
        services.lead_update_status(lead=make_lead(status=S.NEGOTIATING), status=S.WON, by=user)
    # Invalid transition beats missing details: 409, not 400.
    with pytest.raises(InvalidTransition):
        services.lead_update_status(lead=make_lead(status=S.NEW), status=S.WON, by=user)
