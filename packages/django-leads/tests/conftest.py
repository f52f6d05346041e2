import itertools
from decimal import Decimal

import pytest

from django_car_listing.models import Car
from django_leads import services
from django_leads.models import AgentRole, Lead, LeadStatus
from forecourt_core.testing.helpers import grant  # noqa: F401  (the tests import it from here)

from . import celery_app  # noqa: F401  (Celery app on the real Redis broker)
from .stores import STORE

pytest_plugins = ["forecourt_core.testing.fixtures"]  # make_user, client_for

_seq = itertools.count(1)


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
