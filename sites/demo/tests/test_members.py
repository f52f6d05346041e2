"""Members of a dealership: one service behind the API, the page and the Django admin; the CRM's agents follow."""
import pytest
from django_tenants.utils import schema_context

from tests.conftest import host_client

pytestmark = pytest.mark.django_db


def _agent_active(schema: str, user) -> bool | None:
    from django_leads.models import AgentProfile

    with schema_context(schema):
        profile = AgentProfile.objects.filter(user=user).first()
        return None if profile is None else profile.is_active


@pytest.fixture
def managers(dealer1, make_user):
    from tenancy.services import membership_grant

    dealer, hr = make_user("boss"), make_user("people")
    membership_grant(user=dealer, dealership=dealer1, role="dealer")
    membership_grant(user=hr, dealership=dealer1, role="hr")
    return dealer, hr


def test_dealer_adds_by_email_changes_role_and_deactivates_through_the_api_and_the_crm_follows(managers, make_user):
    dealer, _ = managers
    newcomer = make_user("newcomer", email="New.Comer@example.com")
    api = host_client("dealer1.localhost", dealer)

    added = api.post("/api/members/", {"user": "new.comer@example.com", "role": "sales_agent"},
                     content_type="application/json")
    assert added.status_code == 201, added.content
    body = added.json()
    assert (body["username"], body["role"], body["role_label"], body["is_active"]) == (
        "newcomer", "sales_agent", "Sales agent", True)
    assert _agent_active("dealer1", newcomer) is True
    assert host_client("dealer1.localhost", newcomer).get("/api/auth/me/").json()["role"] == "sales_agent"

    changed = api.patch(f"/api/members/{body['id']}/", {"role": "accountant"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["role"] == "accountant"
    assert _agent_active("dealer1", newcomer) is False  # an accountant is not an assignable agent

    api.patch(f"/api/members/{body['id']}/", {"role": "broker"}, content_type="application/json")
    assert _agent_active("dealer1", newcomer) is True
    gone = api.post(f"/api/members/{body['id']}/deactivate/")
    assert gone.status_code == 200 and gone.json()["is_active"] is False
    assert _agent_active("dealer1", newcomer) is False
    assert host_client("dealer1.localhost", newcomer).get("/api/leads/").json()["code"] == "not_a_member"

    again = api.post("/api/members/", {"user": "newcomer", "role": "dealer_staff"}, content_type="application/json")
    assert again.status_code == 201 and again.json()["id"] == body["id"]  # the same membership comes back


def test_hr_manages_staff_roles_only(managers, make_user, dealer1):
    from tenancy.services import membership_grant

    dealer, hr = managers
    api = host_client("dealer1.localhost", hr)
    make_user("mechanic")
    refused = api.post("/api/members/", {"user": "mechanic", "role": "accountant"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "role_not_allowed"
    added = api.post("/api/members/", {"user": "mechanic", "role": "broker"}, content_type="application/json")
    assert added.status_code == 201
    promote = api.patch(f"/api/members/{added.json()['id']}/", {"role": "dealer"}, content_type="application/json")
    assert promote.status_code == 403 and promote.json()["code"] == "role_not_allowed"

    boss_membership = membership_grant(user=dealer, dealership=dealer1, role="dealer")
    demote = api.post(f"/api/members/{boss_membership.pk}/deactivate/")
    assert demote.status_code == 403 and demote.json()["code"] == "role_not_allowed"
    assert boss_membership.__class__.objects.get(pk=boss_membership.pk).is_active


def test_refusals_are_clear_4xx(managers, make_user, dealer1, dealer2):
    from tenancy.services import membership_grant

    dealer, hr = managers
    api = host_client("dealer1.localhost", dealer)
    make_user("twin-a", email="same@example.com")
    make_user("twin-b", email="same@example.com")

    def post(body):
        return api.post("/api/members/", body, content_type="application/json")

    assert post({"user": "nobody-here", "role": "broker"}).json()["code"] == "unknown_user"
    assert post({"user": "same@example.com", "role": "broker"}).json()["code"] == "ambiguous_user"
    assert post({"user": "people", "role": "broker"}).status_code == 409  # already an active member
    bad_role = post({"user": "twin-a", "role": "owner"})
    assert bad_role.status_code == 400 and "role" in bad_role.json()["fields"]
    own = api.get("/api/members/").json()["results"]
    mine = next(m for m in own if m["username"] == "boss")
    selfie = api.post(f"/api/members/{mine['id']}/deactivate/")
    assert selfie.status_code == 409 and selfie.json()["code"] == "own_membership"

    elsewhere = membership_grant(user=make_user("d2-person"), dealership=dealer2, role="broker")
    assert api.get(f"/api/members/{elsewhere.pk}/").status_code == 404  # another dealership's member
    assert api.post(f"/api/members/{elsewhere.pk}/deactivate/").status_code == 404
    assert {m["username"] for m in own} == {"boss", "people"}


def test_a_sales_agent_cannot_manage_members(dealer1, make_user):
    from tenancy.services import membership_grant

    agent = make_user()
    membership_grant(user=agent, dealership=dealer1, role="sales_agent")
    refused = host_client("dealer1.localhost", agent).get("/api/members/")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    page = host_client("dealer1.localhost", agent).get("/members/")
    assert page.status_code == 403


def test_the_page_adds_and_changes_through_the_same_service(managers, make_user):
    dealer, _ = managers
    worker = make_user("washer", email="washer@example.com")
    page = host_client("dealer1.localhost", dealer)
    done = page.post("/members/", {"user": "washer@example.com", "role": "sales_agent"}, follow=True)
    assert "washer added as Sales agent." in done.content.decode()
    assert _agent_active("dealer1", worker) is True
    from tenancy.models import Membership

    membership = Membership.objects.get(user=worker)
    done = page.post(f"/members/{membership.pk}/", {"action": "deactivate"}, follow=True)
    assert "washer deactivated." in done.content.decode()
    assert _agent_active("dealer1", worker) is False


def test_the_page_changes_a_role_and_shows_it_in_words(managers, make_user):
    """The dealer changes a member's role from the members page; the row then reads the new role."""
    import re

    from tenancy.models import Membership
    from tenancy.services import membership_grant

    dealer, hr = managers
    worker = make_user("polisher")
    membership = membership_grant(user=worker, dealership=Membership.objects.get(user=dealer).dealership,
                                  role="sales_agent")
    assert _agent_active("dealer1", worker) is True

    def role_shown(html: str) -> str:
        row = re.search(r'<tr data-member="polisher">(.*?)</tr>', html, re.S).group(1)
        return re.search(r'class="member-role">([^<]*)<', row).group(1)

    page = host_client("dealer1.localhost", dealer)
    assert role_shown(page.get("/members/").content.decode()) == "Sales agent"
    done = page.post(f"/members/{membership.pk}/", {"action": "role", "role": "accountant"}, follow=True)
    html = done.content.decode()
    assert "polisher is now Accountant." in html
    assert role_shown(html) == "Accountant"
    assert _agent_active("dealer1", worker) is False  # no longer an assignable agent

    # HR may not promote a staff member to a manager's role: the page says why and nothing changes.
    refused = host_client("dealer1.localhost", hr).post(
        f"/members/{membership.pk}/", {"action": "role", "role": "dealer"}, follow=True)
    assert role_shown(refused.content.decode()) == "Accountant"
    assert Membership.objects.get(pk=membership.pk).role == "accountant"


def test_the_django_admin_goes_through_the_service(dealer1, make_user):
    """A sales agent added in the admin becomes an assignable CRM agent, as through the page."""
    from tenancy.models import Membership

    admin = make_user("root", is_staff=True, is_superuser=True)
    agent = make_user("admin-added")
    client = host_client("localhost", admin)
    response = client.post("/admin/tenancy/membership/add/", {
        "user": agent.pk, "dealership": dealer1.pk, "role": "sales_agent", "is_active": "on"})
    assert response.status_code == 302, response.content[:2000]
    assert _agent_active("dealer1", agent) is True
    membership = Membership.objects.get(user=agent)
    response = client.post(f"/admin/tenancy/membership/{membership.pk}/change/", {"role": "sales_agent"})
    assert response.status_code == 302
    assert Membership.objects.get(pk=membership.pk).is_active is False  # the unticked box deactivates
    assert _agent_active("dealer1", agent) is False
