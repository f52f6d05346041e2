"""Creating, editing and moving leads along the pipeline."""
import zlib
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone

from forecourt_core import phones
from forecourt_core.signals import send_on_commit

from .. import conf
from ..errors import (
    InvalidEmail,
    InvalidPhoneNumber,
    InvalidSource,
    LostReasonRequired,
    MissingContact,
    SaleDetailsRequired,
)
from ..models import OPEN_STATUSES, Lead, LeadSource, LeadStatus
from ..pipeline import check_transition
from ..signals import lead_assigned, lead_created, lead_status_changed
from .assignment import ensure_active_agent, pick_agent_id
from .events import record_lead_assigned, record_lead_created, record_lead_status_changed

EDITABLE_FIELDS = ("contact_name", "contact_phone", "contact_email", "source", "notes")


def normalize_phone(raw: str) -> str:
    """E.164 form of ``raw`` ('' stays ''; local numbers read in forecourt_core's region); InvalidPhoneNumber."""
    if not raw:
        return ""
    try:
        return phones.normalize_phone(raw)
    except phones.InvalidPhone:
        raise InvalidPhoneNumber() from None


def normalize_email(raw: str) -> str:
    email = (raw or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise InvalidEmail() from exc
    return email


def _lock(lead: Lead) -> Lead:
    return Lead.objects.select_for_update().get(pk=lead.pk)


@transaction.atomic
def lead_create(*, car, source: str = LeadSource.WALK_IN, by=None, buyer=None, contact_name: str = "",
                contact_phone: str = "", contact_email: str = "", notes: str = "", agent=None) -> Lead:
    """A new lead; assigned to ``agent`` if given (must be an active agent), else by the rule."""
    phone = normalize_phone(contact_phone.strip())
    contact_email = normalize_email(contact_email)
    if source not in LeadSource.values:
        raise InvalidSource()
    if buyer is None and not (contact_name.strip() or phone or contact_email.strip()):
        raise MissingContact()
    if buyer is not None and not contact_name.strip():
        # Snapshot the buyer's name: the lead stays readable (and valid) if the account goes away.
        full_name = buyer.get_full_name() if hasattr(buyer, "get_full_name") else ""
        contact_name = (full_name or buyer.get_username())[:200]
    if agent is not None:
        ensure_active_agent(agent)
        agent_id = agent.pk
    else:
        agent_id = pick_agent_id()
    lead = Lead(car=car, buyer=buyer, contact_name=contact_name.strip(), contact_phone=phone,
                contact_email=contact_email.strip(), source=source, notes=notes, agent_id=agent_id)
    lead._history_user = by
    lead.save()
    send_on_commit(lead_created, sender=Lead, lead=lead)
    record_lead_created(lead=lead, by=by)
    if agent_id is not None:
        send_on_commit(lead_assigned, sender=Lead, lead=lead, agent=lead.agent, previous_agent_id=None, by=by)
        record_lead_assigned(lead=lead, previous_agent_id=None, by=by)
    return lead


@transaction.atomic
def lead_create_from_contact(*, buyer, car, message: str = "") -> tuple[Lead, bool]:
    """A marketplace buyer contacted the dealer about ``car``: (lead, created).

    A repeat contact by the same buyer about the same car within the merge window (a day) goes
    into the open lead's notes instead of making a second lead. An advisory lock on (buyer, car)
    makes two simultaneous contacts merge too.
    """
    key = zlib.crc32(f"leads.contact:{buyer.pk}:{car.pk}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    since = timezone.now() - timedelta(hours=conf.get("LEADS_MERGE_WINDOW_HOURS"))
    existing = (Lead.objects.select_for_update()
                .filter(buyer=buyer, car=car, status__in=OPEN_STATUSES, created_at__gte=since)
                .order_by("-created_at").first())
    if existing is None:
        lead = lead_create(car=car, source=LeadSource.MARKETPLACE, by=buyer, buyer=buyer, notes=message)
        return lead, True
    if message:
        stamp = timezone.now().strftime("%Y-%m-%d %H:%M")
        existing.notes = f"{existing.notes}\n\n[{stamp}] {message}" if existing.notes else message
        existing._history_user = buyer
        existing._change_reason = "repeat contact merged"
        existing.save(update_fields=["notes", "updated_at"])
    return existing, False


@transaction.atomic
def lead_update(*, lead: Lead, by=None, **fields) -> Lead:
    """Edit the contact details, source and notes (not status or agent: they have their own services)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"lead_update() got unexpected fields {sorted(unknown)}")
    locked = _lock(lead)
    if "contact_phone" in fields:
        fields["contact_phone"] = normalize_phone(fields["contact_phone"].strip())
    if "contact_email" in fields:
        fields["contact_email"] = normalize_email(fields["contact_email"])
    if "source" in fields and fields["source"] not in LeadSource.values:
        raise InvalidSource()
    for name, value in fields.items():
        setattr(locked, name, value)
    if locked.buyer_id is None and not (locked.contact_name or locked.contact_phone or locked.contact_email):
        raise MissingContact()
    locked._history_user = by
    locked.save(update_fields=[*fields, "updated_at"])
    return locked


@transaction.atomic
def lead_transition(*, lead: Lead, status: str, by=None, lost_reason: str = "") -> Lead:
    """Move ``lead`` to ``status`` along the pipeline table (won goes through sales.lead_win)."""
    if status == LeadStatus.WON:
        raise SaleDetailsRequired()
    locked = _lock(lead)
    check_transition(current=locked.status, target=status, user=by)
    if status == LeadStatus.LOST and not lost_reason.strip():
        raise LostReasonRequired()
    apply_status(locked, status=status, by=by, lost_reason=lost_reason.strip())
    return locked


def apply_status(lead: Lead, *, status: str, by, lost_reason: str = "") -> None:
    """Set status and its timestamps on a locked, already-checked lead, save it and announce it."""
    old = lead.status
    now = timezone.now()
    lead.status = status
    lead.lost_reason = lost_reason if status == LeadStatus.LOST else ""
    if status == LeadStatus.CONTACTED and lead.first_contact_at is None:
        lead.first_contact_at = now
    lead.closed_at = now if status in (LeadStatus.WON, LeadStatus.LOST) else None
    lead._history_user = by
    lead.save(update_fields=["status", "lost_reason", "first_contact_at", "closed_at", "updated_at"])
    send_on_commit(lead_status_changed, sender=Lead, lead=lead, old_status=old, new_status=status, by=by)
    record_lead_status_changed(lead=lead, old_status=old, by=by)
