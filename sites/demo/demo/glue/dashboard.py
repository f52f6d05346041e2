"""The dealer dashboard's figures (lead analytics, sales, profit and loss), cached per dealership on the
kernel's generation cache (``forecourt_core.cache.GenerationCache``).

The sales count, revenue and by-month series are the books' (``django_books.selectors.sales_summary``:
the sales revenue account of profit and loss, net of VAT, and the vehicle sales booked), so a car sold
on the marketplace and a lead won and paid offline count alike, and the dashboard always says what the
profit and loss report says.

Entries live in the ``default`` cache, whose key function prefixes the current schema, so one
dealership never reads another's figures. Each dealership has a generation number, read in the same
round trip as the entry; demo/glue/wiring.py bumps it on commit of every save or delete of the rows the
dashboard sums (leads, lead sales, commissions, journal entries: a posting landing in the books), so the
next page load after a write rebuilds. The generation is read before the database, so a payload built from
older rows is stored under the older generation and never served after the bump. The TTL is only a
backstop for writes that bypass save()/delete() (queryset.update(), raw SQL).
"""
from django.db import connection, transaction
from django.db.models import Count
from django_books import selectors as books
from django_tenants.utils import get_public_schema_name, schema_context

from django_leads import selectors as leads
from django_leads.models import LeadStatus
from django_leads.selectors import analytics
from django_leads.selectors.leads import can_see_all
from forecourt_core.cache import GenerationCache

GENERATION_KEY = "dashboard:generation"
TTL_SECONDS = 300
# The kernel's generation cache: a cache outage is logged and the figures are computed from the database.
figures_cache = GenerationCache(name="dashboard", alias=lambda: "default", ttl=lambda: TTL_SECONDS)


def _bump(schema_name: str) -> None:
    with schema_context(schema_name):  # the key function reads the schema at call time
        figures_cache.bump(GENERATION_KEY)


def invalidate_on_commit() -> None:
    """Forget the current dealership's figures once the surrounding transaction commits."""
    schema_name = connection.schema_name  # captured now: the commit may happen in another schema's context
    if schema_name != get_public_schema_name():
        transaction.on_commit(lambda: _bump(schema_name))


def _figures(with_pnl: bool) -> dict:
    sales = books.sales_summary()
    figures = {"data": analytics.dashboard(bucket="month"), "sales_total": sales["revenue"],
               "sales_count": sales["count"], "sales_months": sales["by_month"], "pnl": None}
    if with_pnl:
        figures["pnl"] = books.profit_by_month()
    return figures


def _funnel(user) -> dict:
    counts = dict(leads.lead_visible_qs(user=user).values_list("status").annotate(n=Count("id")))
    return {label: counts.get(value, 0) for value, label in LeadStatus.choices}


def dashboard_figures(*, user) -> dict:
    """The figures for ``user`` on the current dealership's dashboard (the caller checks the permission)."""
    with_pnl = user.has_perm("books.view_reports")
    scope = "all" if can_see_all(user) else f"user{user.pk}"  # an agent's funnel counts only their leads
    figures_key, funnel_key = f"dashboard:figures:{int(with_pnl)}", f"dashboard:funnel:{scope}"
    found = figures_cache.cached_many({figures_key: lambda: _figures(with_pnl),
                                       funnel_key: lambda: _funnel(user)}, generations=[GENERATION_KEY])
    return {**found[figures_key], "funnel": found[funnel_key]}
