"""Reads of leads, sales and commissions, scoped to what the user may see."""
from decimal import Decimal

import django_filters
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from ..errors import InvalidFilters, NotFound
from ..models import OPEN_STATUSES, AgentProfile, Commission, CommissionRule, Lead, LeadSource, LeadStatus, Sale

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def can_see_all(user) -> bool:
    return user.has_perm("leads.view_all_leads")


def lead_visible_qs(*, user) -> QuerySet[Lead]:
    """Every lead for holders of ``leads.view_all_leads``, else only the user's own leads."""
    qs = Lead.objects.all()
    if user is None or not user.is_authenticated:
        return qs.none()
    return qs if can_see_all(user) else qs.filter(agent=user)


def can_edit(user, lead: Lead) -> bool:
    """An agent edits their own leads; others need ``leads.change_lead`` (and must see the lead)."""
    return lead.agent_id == user.pk or user.has_perm("leads.change_lead")


class LeadFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=LeadStatus.choices)
    source = django_filters.MultipleChoiceFilter(choices=LeadSource.choices)
    agent = django_filters.NumberFilter(field_name="agent_id")
    unassigned = django_filters.BooleanFilter(field_name="agent", lookup_expr="isnull")
    car = django_filters.NumberFilter(field_name="car_id")
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Lead
        fields = ["status", "source", "agent", "unassigned", "car", "created_from", "created_to"]


def lead_list(*, user, filters=None) -> QuerySet[Lead]:
    """Visible leads filtered by ``LeadFilter``; a bad filter value is a 400 naming the field."""
    filterset = LeadFilter(filters or {}, lead_visible_qs(user=user).select_related("sale"))
    if not filterset.is_valid():
        raise InvalidFilters(fields={name: [str(m) for m in errors] for name, errors in filterset.errors.items()})
    return filterset.qs


def lead_get(*, user, pk) -> Lead:
    """The lead if ``user`` may see it; 404 otherwise (never reveal that it exists)."""
    lead = lead_visible_qs(user=user).select_related("sale").filter(pk=pk).first()
    if lead is None:
        raise NotFound()
    return lead


def lead_timeline(*, lead: Lead) -> list[dict]:
    """The lead's history, oldest first: who, when, what changed (old -> new), why."""
    records = list(lead.history.select_related("history_user").order_by("history_date", "history_id"))
    entries, previous = [], None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            changes = [{"field": c.field, "old": c.old, "new": c.new} for c in delta.changes]
        user = record.history_user
        entries.append({
            "at": record.history_date,
            "by": record.history_user_id,
            "by_name": user.get_username() if user is not None else "",
            "type": HISTORY_TYPES.get(record.history_type, record.history_type),
            "status": record.status,  # consecutive entries give the time spent in each stage
            "reason": record.history_change_reason or "",
            "changes": changes,
        })
        previous = record
    return entries


def sale_list(*, user) -> QuerySet[Sale]:
    """All sales for lead managers and holders of ``leads.view_sale``; an agent sees their own."""
    qs = Sale.objects.all()
    return qs if can_see_all(user) or user.has_perm("leads.view_sale") else qs.filter(agent=user)


def commission_list(*, user, status: str | None = None) -> QuerySet[Commission]:
    """All commissions for lead managers, payers and ``leads.view_commission``; an agent sees their own."""
    qs = Commission.objects.all()
    if not (can_see_all(user) or user.has_perm("leads.view_commission") or user.has_perm("leads.pay_commission")):
        qs = qs.filter(agent=user)
    if status:
        qs = qs.filter(status=status)
    return qs


def commission_get(*, user, pk) -> Commission:
    commission = commission_list(user=user).filter(pk=pk).first()
    if commission is None:
        raise NotFound()
    return commission


def agent_list(*, include_inactive: bool = False) -> QuerySet[AgentProfile]:
    """Agents with their number of open leads (``open_leads``), for assignment screens."""
    open_counts = (Lead.objects.filter(agent_id=OuterRef("user_id"), status__in=OPEN_STATUSES)
                   .values("agent_id").annotate(n=Count("id")).values("n"))
    qs = AgentProfile.objects.select_related("user").annotate(
        open_leads=Coalesce(Subquery(open_counts, output_field=IntegerField()), 0))
    return qs if include_inactive else qs.filter(is_active=True)


def active_agent(*, user_id) -> AgentProfile | None:
    """The active agent profile of ``user_id`` (with its user), or None."""
    return AgentProfile.objects.filter(user_id=user_id, is_active=True).select_related("user").first()


def commission_rules() -> QuerySet[CommissionRule]:
    """The active commission rules, by role, with their agent."""
    return CommissionRule.objects.filter(is_active=True).select_related("agent").order_by("role", "id")


def agent_work(*, user, limit: int = 100) -> dict:
    """An agent's or broker's own leads, sales and commissions, newest first, with their totals."""
    leads = list(Lead.objects.filter(agent=user).select_related("car").order_by("-created_at")[:limit])
    sales = list(Sale.objects.filter(agent=user).order_by("-sold_on", "-id")[:limit])
    commissions = list(Commission.objects.filter(agent=user).select_related("sale")
                       .order_by("-accrued_at", "-id")[:limit])
    totals = Commission.objects.filter(agent=user).aggregate(
        owed=Sum("amount", filter=Q(status=Commission.Status.ACCRUED)),
        paid=Sum("amount", filter=Q(status=Commission.Status.PAID)))
    open_leads = Lead.objects.filter(agent=user, status__in=OPEN_STATUSES).count()
    return {"my_leads": leads, "my_sales": sales, "my_commissions": commissions, "open_leads": open_leads,
            "sales_total": sum((s.agreed_price for s in sales), Decimal("0.00")),
            "owed": totals["owed"] or Decimal("0.00"), "paid": totals["paid"] or Decimal("0.00")}


def lead_count_for_car(*, store_key: str, car_id: int, since) -> int:
    """Leads about a car since ``since``: the CAR_LISTING_LEAD_COUNTER hook of django-car-listing.

    Leads live in the car's own schema, so ``store_key`` only documents which store is asked;
    the caller runs this in that store's context.
    """
    qs = Lead.objects.filter(car_id=car_id)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    return qs.count()
