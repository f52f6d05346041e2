"""The CRM in the site: memberships make agents, marketplace contacts make leads in the dealer's schema."""

import pytest
from django_tenants.utils import schema_context

from tests.conftest import host_client
from tests.test_marketplace import _listed_dealer_car


@pytest.fixture
def team(dealer1, make_user):
    from tenancy.services import membership_grant

    staff, agent = make_user(), make_user()
    membership_grant(user=staff, dealership=dealer1, role="dealer_staff")
    membership_grant(user=agent, dealership=dealer1, role="sales_agent")
    return staff, agent


@pytest.mark.django_db
def test_sales_agent_membership_makes_an_agent_only_in_its_dealership(team):
    from django_leads.models import AgentProfile

    _, agent = team
    with schema_context("dealer1"):
        assert AgentProfile.objects.get(user=agent).is_active
    with schema_context("dealer2"):
        assert not AgentProfile.objects.filter(user=agent).exists()


@pytest.mark.django_db
def test_revoking_the_membership_stops_assignment(dealer1, team):
    from django_leads.models import AgentProfile
    from tenancy.services import membership_revoke

    _, agent = team
    membership_revoke(user=agent, dealership=dealer1)
    with schema_context("dealer1"):
        assert not AgentProfile.objects.get(user=agent).is_active


@pytest.mark.django_db
def test_marketplace_contact_creates_an_assigned_lead_in_the_dealers_schema(team, make_user):
    from django_leads.models import Lead

    staff, agent = team
    car = _listed_dealer_car(staff, make_user(is_staff=True))
    buyer = make_user()
    client = host_client("localhost", buyer)
    first = client.post("/api/marketplace/contact/", {"store_key": "dealer1", "car_id": car.pk, "message": "Hi"},
                        content_type="application/json")
    assert first.status_code == 201, first.content
    again = client.post("/api/marketplace/contact/", {"store_key": "dealer1", "car_id": car.pk},
                        content_type="application/json")
    assert again.status_code == 200 and again.json()["lead_id"] == first.json()["lead_id"]  # merged
    with schema_context("dealer1"):
        lead = Lead.objects.get(pk=first.json()["lead_id"])
        assert lead.buyer_id == buyer.pk and lead.agent_id == agent.pk and lead.car_id == car.pk
    with schema_context("dealer2"):
        assert not Lead.objects.exists()
    # The agent sees it on the dealership's host; dealer2's host refuses the agent.
    assert host_client("dealer1.localhost", agent).get(f"/api/leads/{lead.pk}/").status_code == 200
    assert host_client("dealer2.localhost", agent).get(f"/api/leads/{lead.pk}/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(("payload", "code", "status"), [
    ({"store_key": "dealer1", "car_id": 999999}, "car_not_found", 404),
    ({"store_key": "nowhere", "car_id": 1}, "not_found", 404),
    ({"store_key": "public", "car_id": 1}, "not_found", 404),
    ({"store_key": "dealer1", "car_id": "x"}, "validation_error", 400),
])
def test_contact_refusals(make_user, payload, code, status):
    response = host_client("localhost", make_user()).post("/api/marketplace/contact/", payload,
                                                          content_type="application/json")
    assert response.status_code == status and response.json()["code"] == code


@pytest.mark.django_db
def test_dealer2_staff_get_404_for_dealer1_lead_ids(dealer2, team, make_user):
    from django_leads.services import lead_create
    from tenancy.services import membership_grant

    staff, _ = team
    car = _listed_dealer_car(staff, make_user(is_staff=True))
    with schema_context("dealer1"):
        lead = lead_create(car=car, by=staff, contact_name="Walk In", contact_phone="+14155550100", source="walk_in")
    other = make_user()
    membership_grant(user=other, dealership=dealer2, role="dealer")
    response = host_client("dealer2.localhost", other).get(f"/api/leads/{lead.pk}/")
    assert response.status_code == 404 and response.json()["code"] in {"not_found", "lead_not_found"}
