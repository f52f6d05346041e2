"""The role -> permission map, answered only inside the dealership that granted the role."""
import pytest
from django_tenants.utils import schema_context

from accounts.roles import ROLE_PERMISSIONS, role_grants

# (role, permission, granted?) - the table documents the intent of accounts/roles.py.
TABLE = [
    ("dealer", "leads.assign_lead", True),
    ("dealer", "payroll.approve_payrollrun", True),
    ("dealer", "car_listing.change_car", True),
    ("dealer", "car_listing.verify_car", False),  # platform staff only, despite the dealer's car_listing.*
    ("dealer_staff", "leads.assign_lead", True),
    ("dealer_staff", "payroll.approve_payrollrun", False),
    ("sales_agent", "leads.change_lead", True),
    ("sales_agent", "leads.assign_lead", False),
    ("sales_agent", "leads.view_all_leads", False),
    ("broker", "leads.change_lead", True),
    ("broker", "car_listing.change_car", False),
    ("accountant", "payroll.add_payrollrun", True),
    ("accountant", "payroll.pay_payrollrun", True),
    ("accountant", "payroll.approve_payrollrun", False),
    ("accountant", "payroll.add_salarystructure", False),
    ("hr", "payroll.add_salarystructure", True),
    ("hr", "payroll.add_employee", True),
    ("hr", "payroll.add_payrollrun", False),
    ("hr", "books.view_reports", False),
    ("hr", "leads.view_lead", False),
]


@pytest.mark.parametrize(("role", "perm", "granted"), TABLE)
def test_role_map(role, perm, granted):
    assert role_grants(role, perm) is granted


def test_every_role_has_permissions():
    assert set(ROLE_PERMISSIONS) == {"dealer", "dealer_staff", "broker", "sales_agent", "accountant", "hr"}
    assert all(ROLE_PERMISSIONS.values())


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "perm", "granted"), TABLE)
def test_role_applies_in_its_dealership_only(dealer1, dealer2, make_user, role, perm, granted):
    from tenancy.services import membership_grant

    user = make_user()
    membership_grant(user=user, dealership=dealer1, role=role)
    with schema_context("dealer1"):
        assert user.has_perm(perm) is granted
    with schema_context("dealer2"):
        assert user.has_perm(perm) is False
    assert user.has_perm(perm) is False  # public schema: roles grant nothing


@pytest.mark.django_db
def test_inactive_membership_grants_nothing(dealer1, make_user):
    from tenancy.models import Membership

    user = make_user()
    Membership.objects.create(user=user, dealership=dealer1, role="dealer", is_active=False)
    with schema_context("dealer1"):
        assert not user.has_perm("leads.assign_lead")


@pytest.mark.django_db
def test_django_model_permissions_apply_to_platform_staff_only(dealer1, make_user):
    """Dealership users get permissions from their role alone (accounts.backends.StaffModelBackend): a
    Django permission granted to a non-staff user is ignored, and their has_perm runs no permission query."""
    from django.contrib.auth.models import Permission
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tenancy.services import membership_grant

    perm = Permission.objects.get(codename="assign_lead", content_type__app_label="leads")
    agent, admin = make_user("agent"), make_user("platform-admin", is_staff=True)
    membership_grant(user=agent, dealership=dealer1, role="sales_agent")
    for user in (agent, admin):
        user.user_permissions.add(perm)
    with schema_context("dealer1"):
        agent, admin = (type(u).objects.get(pk=u.pk) for u in (agent, admin))  # no cached permissions
        with CaptureQueriesContext(connection) as queries:
            assert agent.has_perm("leads.assign_lead") is role_grants("sales_agent", "leads.assign_lead")
        assert not [q for q in queries.captured_queries if "auth_permission" in q["sql"]]
        assert admin.has_perm("leads.assign_lead")  # staff: Django's permissions, as in the admin
