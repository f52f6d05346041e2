import itertools
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from django_car_listing.models import Car
from django_leads import services
from django_leads.models import AgentRole, Lead, LeadStatus

from . import celery_app  # noqa: F401  (Celery app on the real Redis broker)
from .stores import STORE

_seq = itertools.count(1)


def grant(user, *codenames):
    """Grant ``app_label.codename`` permissions and drop the user's permission cache."""
    for name in codenames:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    for cache in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache, None)
    return user


@pytest.fixture
def make_user(django_user_model):
    def make(**kwargs):
        kwargs.setdefault("username", f"user{next(_seq)}")
        return django_user_model.objects.create_user(**kwargs)

    return make


@pytest.fixture
def make_agent(make_user):
    def make(role=AgentRole.SALES_AGENT, **kwargs):
        user = make_user(**kwargs)
        services.agent_upsert(user=user, role=role)
        return user

    return make


@pytest.fixture
def make_car():
    """A car of the dealership's inventory (store "dealer1"), listed for sale."""

    def make(price="20000.00", **kwargs):
        n = next(_seq)
        fields = {"store_key": STORE, "make": "Skoda", "model": "Octavia", "year": 2020, "price": Decimal(price),
                  "vin": f"TESTVIN{n:010d}", "is_for_sale": True, "verification_status": "verified"}
        fields.update(kwargs)
        return Car.objects.create(**fields)

    return make


@pytest.fixture
def make_lead(make_car):
    def make(*, status=LeadStatus.NEW, car=None, **kwargs):
        kwargs.setdefault("contact_name", "Walk In")
        lead = services.lead_create(car=car or make_car(), **kwargs)
        if status != LeadStatus.NEW:
            # Put the lead straight into a status (bypassing the pipeline) to test from there.
            extra = {"lost_reason": "price"} if status == LeadStatus.LOST else {}
            closed = {"closed_at": lead.created_at} if status in (LeadStatus.WON, LeadStatus.LOST) else {}
            Lead.objects.filter(pk=lead.pk).update(status=status, **extra, **closed)
            lead.refresh_from_db()
        return lead

    return make
