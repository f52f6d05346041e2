"""Lead and sales analytics for the dealer dashboard.

Definitions (all over an inclusive date range; either end may be open):
- leads counts, conversion and time to first contact: leads *created* in the range;
- conversion rate: won / created (a Decimal fraction, 4 places; None without leads);
- time to first contact: median of ``first_contact_at - created_at`` over contacted leads;
- per agent: leads handled (assigned, created in range), won (of those), response time (median
  time to first contact of those), revenue and sales (sales *sold* in range, by the sale's agent),
  commission (commissions on those sales, accrued or paid).
"""
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Aggregate, Count, DurationField, F, Q, Sum
from django.db.models.functions import Trunc

from ..errors import InvalidDateRange
from ..models import Commission, Lead, LeadStatus, Sale

BUCKETS = ("day", "week", "month")
MAX_RANGE_DAYS = 3660


class Median(Aggregate):
    """PostgreSQL's exact median (``percentile_cont(0.5)``), FILTER-able like any aggregate."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def _range(qs, field: str, start: datetime.date | None, end: datetime.date | None):
    if start and end and start > end:
        raise InvalidDateRange()
    if start and end and (end - start).days > MAX_RANGE_DAYS:
        raise InvalidDateRange()
    if start:
        qs = qs.filter(**{f"{field}__gte": start})
    if end:
        qs = qs.filter(**{f"{field}__lte": end})
    return qs


def _leads(start, end):
    return _range(Lead.objects.all(), "created_at__date", start, end)


def _first_contact_delay():
    return Median(F("first_contact_at") - F("created_at"), output_field=DurationField(),
                  filter=Q(first_contact_at__isnull=False))


def leads_over_time(*, start=None, end=None, bucket: str = "day") -> dict:
    """Counts of created leads per period, by status and by source."""
    if bucket not in BUCKETS:
        raise InvalidDateRange(f"bucket must be one of {', '.join(BUCKETS)}")
    qs = _leads(start, end).annotate(period=Trunc("created_at", bucket))
    out = {}
    for dim in ("status", "source"):
        rows = qs.values("period", dim).annotate(count=Count("id")).order_by("period", dim)
        out[f"by_{dim}"] = [{"period": r["period"].date(), dim: r[dim], "count": r["count"]} for r in rows]
    return out


def lead_summary(*, start=None, end=None) -> dict:
    agg = _leads(start, end).aggregate(
        total=Count("id"),
        won=Count("id", filter=Q(status=LeadStatus.WON)),
        lost=Count("id", filter=Q(status=LeadStatus.LOST)),
        median_first_contact=_first_contact_delay(),
    )
    agg["conversion_rate"] = _ratio(agg["won"], agg["total"])
    return agg


def agent_performance(*, start=None, end=None) -> list[dict]:
    """One row per agent with leads or sales in the range, ordered by agent id."""
    leads = (_leads(start, end).filter(agent__isnull=False).values("agent_id")
             .annotate(handled=Count("id"), won=Count("id", filter=Q(status=LeadStatus.WON)),
                       response_time=_first_contact_delay()))
    sales = (_range(Sale.objects.filter(agent__isnull=False), "sold_on", start, end).values("agent_id")
             .annotate(sales=Count("id"), revenue=Sum("agreed_price")))
    commissions = (_range(Commission.objects.all(), "sale__sold_on", start, end).values("agent_id")
                   .annotate(commission=Sum("amount"),
                             commission_paid=Sum("amount", filter=Q(status=Commission.Status.PAID))))
    rows: dict[int, dict] = {}

    def row(agent_id):
        return rows.setdefault(agent_id, {
            "agent_id": agent_id, "handled": 0, "won": 0, "response_time": None, "sales": 0,
            "revenue": Decimal("0.00"), "commission": Decimal("0.00"), "commission_paid": Decimal("0.00"),
        })

    for r in leads:
        row(r["agent_id"]).update(handled=r["handled"], won=r["won"], response_time=r["response_time"])
    for r in sales:
        row(r["agent_id"]).update(sales=r["sales"], revenue=r["revenue"])
    for r in commissions:
        row(r["agent_id"]).update(commission=r["commission"], commission_paid=r["commission_paid"] or Decimal("0.00"))
    names = dict(get_user_model().objects.filter(pk__in=rows).values_list("pk", get_user_model().USERNAME_FIELD))
    result = []
    for agent_id in sorted(rows):
        r = rows[agent_id]
        r["agent_name"] = names.get(agent_id, "")
        r["conversion_rate"] = _ratio(r["won"], r["handled"])
        result.append(r)
    return result


def dashboard(*, start=None, end=None, bucket: str = "day") -> dict:
    return {
        "summary": lead_summary(start=start, end=end),
        "over_time": leads_over_time(start=start, end=end, bucket=bucket),
        "agents": agent_performance(start=start, end=end),
    }


def _ratio(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
