"""Marketplace contacts: a lead per buyer and car, repeat contacts within a day merge."""
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from django_leads import services
from django_leads.errors import InvalidEmail, InvalidPhoneNumber, MissingContact
from django_leads.models import Lead, LeadSource, LeadStatus


@pytest.mark.django_db
def test_repeat_contact_within_a_day_merges_into_the_open_lead(make_user, make_car, make_agent):
    agent = make_agent()
    buyer, car = make_user(), make_car()
    lead, created = services.lead_create_from_contact(buyer=buyer, car=car, message="Is it available?")
    assert created and lead.source == LeadSource.MARKETPLACE and lead.agent_id == agent.pk
    assert (lead.buyer_id, lead.contact_name) == (buyer.pk, buyer.username)  # name snapshot
    again, created2 = services.lead_create_from_contact(buyer=buyer, car=car, message="Can I see it Friday?")
    assert (again.pk, created2) == (lead.pk, False)
    again.refresh_from_db()
    assert again.notes.startswith("Is it available?") and again.notes.endswith("Can I see it Friday?")
    assert Lead.objects.count() == 1
    # Another car, or another buyer: separate leads.
    assert services.lead_create_from_contact(buyer=buyer, car=make_car(), message="")[1]
    assert services.lead_create_from_contact(buyer=make_user(), car=car, message="")[1]


@pytest.mark.django_db
def test_contact_after_a_day_or_after_closing_opens_a_new_lead(make_user, make_car):
    buyer, car = make_user(), make_car()
    lead, _ = services.lead_create_from_contact(buyer=buyer, car=car, message="hi")
    Lead.objects.filter(pk=lead.pk).update(created_at=timezone.now() - timedelta(hours=25))
    second, created = services.lead_create_from_contact(buyer=buyer, car=car, message="hi again")
    assert created and second.pk != lead.pk
    services.lead_transition(lead=second, status=LeadStatus.LOST, lost_reason="bought elsewhere")
    third, created = services.lead_create_from_contact(buyer=buyer, car=car, message="changed my mind")
    assert created and third.pk not in (lead.pk, second.pk)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_contacts_merge_into_one_lead(make_user, make_car):
    buyer, car = make_user(), make_car()
    barrier = threading.Barrier(6)
    results, errors = [], []

    def contact(i):
        try:
            barrier.wait(timeout=30)
            results.append(services.lead_create_from_contact(buyer=buyer, car=car, message=f"msg {i}"))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=contact, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Lead.objects.count() == 1
    assert sum(created for _, created in results) == 1
    notes = Lead.objects.get().notes
    assert all(f"msg {i}" in notes for i in range(6))


@pytest.mark.django_db
def test_walk_in_contact_details_are_validated_and_normalised(make_car):
    car = make_car()
    lead = services.lead_create(car=car, contact_name="Bob", contact_phone="+1 (650) 253-0000")
    assert lead.contact_phone == "+16502530000"
    with pytest.raises(InvalidPhoneNumber):
        services.lead_create(car=car, contact_phone="12345")
    with pytest.raises(InvalidEmail):
        services.lead_create(car=car, contact_email="not-an-email")
    with pytest.raises(MissingContact):
        services.lead_create(car=car, contact_name="  ")


@pytest.mark.django_db
def test_default_phone_region_setting(make_car, settings):
    settings.FORECOURT_PHONE_REGION = "GB"
    lead = services.lead_create(car=make_car(), contact_phone="020 7946 0958")
    assert lead.contact_phone == "+442079460958"
