"""The domain events django-leads records (forecourt_core.events), each in the transaction of its change.

Kinds: ``leads.lead_created``, ``leads.lead_assigned``, ``leads.lead_status_changed``,
``leads.sale_closed`` (``payment`` says offline or platform) and ``leads.commission_paid``.
"""
from forecourt_core.events.services import event_record

from ..models import Commission, Lead, Sale


def _lead_facts(lead: Lead) -> dict:
    car = lead.car if lead.car_id else None
    return {"lead_id": lead.pk, "contact_name": lead.contact_name, "agent_id": lead.agent_id,
            "status": lead.status, "car_id": lead.car_id,
            "car": f"{car.year} {car.make} {car.model}" if car is not None else ""}


def _pk(user) -> int | None:
    return getattr(user, "pk", None)


def record_lead_created(*, lead: Lead, by=None) -> None:
    event_record(kind="leads.lead_created", data={**_lead_facts(lead), "by_id": _pk(by)})


def record_lead_assigned(*, lead: Lead, previous_agent_id: int | None, by=None) -> None:
    event_record(kind="leads.lead_assigned",
                 data={**_lead_facts(lead), "previous_agent_id": previous_agent_id, "by_id": _pk(by)})


def record_lead_status_changed(*, lead: Lead, old_status: str, by=None) -> None:
    event_record(kind="leads.lead_status_changed",
                 data={**_lead_facts(lead), "old_status": old_status, "new_status": lead.status, "by_id": _pk(by)})


def record_sale_closed(*, sale: Sale) -> None:
    event_record(kind="leads.sale_closed",
                 data={"sale_id": sale.pk, "lead_id": sale.lead_id, "car_id": sale.car_key, "payment": sale.payment,
                       "agreed_price": sale.agreed_price, "sold_on": sale.sold_on, "agent_id": sale.agent_id,
                       "buyer_id": sale.buyer_id, "buyer_name": sale.buyer_name})


def record_commission_paid(*, commission: Commission) -> None:
    event_record(kind="leads.commission_paid",
                 data={"commission_id": commission.uuid, "sale_id": commission.sale_id,
                       "agent_id": commission.agent_id, "amount": commission.amount, "paid_at": commission.paid_at})
