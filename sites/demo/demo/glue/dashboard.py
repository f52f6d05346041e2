"""The dealer dashboard's figures (lead analytics, store sales, profit and loss), cached per dealership.

Entries live in the ``default`` cache, whose key function prefixes the current schema, so one
dealership never reads another's figures. Each dealership has a generation number, read in the same
round trip as the entry; demo/glue/wiring.py bumps it on commit of every save or delete of the rows the
dashboard sums (leads, lead sales, commissions, store sales, accounting entries), so the next page
load after a write rebuilds. The generation is read before the database, so a payload built from
older rows is stored under the older generation and never served after the bump. The TTL is only a
backstop for writes that bypass save()/delete() (queryset.update(), raw SQL).
"""
import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import Count
from django_tenants.utils import get_public_schema_name, schema_context

from django_books import selectors as books
from django_car_listing import selectors as cars
from django_leads import selectors as leads
from django_leads.models import LeadStatus
from django_leads.selectors import analytics
from django_leads.selectors.leads import can_see_all

log = logging.getLogger(__name__)
GENERATION_KEY = "dashboard:generation"
TTL_SECONDS = 300
SALES_WINDOW = 500  # the dashboard sums the latest 500 store sales


def _cache():
    return caches["default"]


def _bump(schema_name: str) -> None:
    with schema_context(schema_name):  # the key function reads the schema at call time
        cache = _cache()
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # missing: start above every generation handed out before
            cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


def invalidate_on_commit() -> None:
    """Forget the current dealership's figures once the surrounding transaction commits."""
    schema_name = connection.schema_name  # captured now: the commit may happen in another schema's context
    if schema_name != get_public_schema_name():
        # robust: a cache outage is logged and never stops the on_commit callbacks after this one.
        transaction.on_commit(lambda: _bump(schema_name), robust=True)


def _cached(builders: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Each key's payload, from the cache when stored at the current generation: one round trip for all."""
    if connection.in_atomic_block:  # uncommitted rows must never reach the cache (a rollback sends no bump)
        return {key: build() for key, build in builders.items()}
    cache = _cache()
    try:
        found = cache.get_many([GENERATION_KEY, *builders])
    except Exception:  # noqa: BLE001 - any cache backend's connection error: the page still renders
        log.warning("dashboard: cache unavailable, figures computed without it", exc_info=True)
        return {key: build() for key, build in builders.items()}
    generation = found.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    payloads = {}
    for key, build in builders.items():
        stored = found.get(key)
        if stored is not None and stored[0] == generation:
            payloads[key] = stored[1]
        else:
            payloads[key] = build()
            cache.set(key, (generation, payloads[key]), timeout=TTL_SECONDS)
    return payloads


def _figures(store_key: str, with_pnl: bool) -> dict:
    data = analytics.dashboard(bucket="month")
    sales = cars.store_sales(store_key=store_key, limit=SALES_WINDOW).results
    by_month: dict[str, float] = {}
    for sale in sales:
        key = sale.sold_at.strftime("%Y-%m")
        by_month[key] = by_month.get(key, 0) + float(sale.price)  # chart scale only; money stays Decimal
    figures = {"data": data, "sales_by_month": dict(sorted(by_month.items())),
               "sales_total": sum((s.price for s in sales), start=0), "sales_count": len(sales), "pnl": None}
    if with_pnl:
        figures["pnl"] = books.profit_by_month()
    return figures


def _funnel(user) -> dict:
    counts = dict(leads.lead_visible_qs(user=user).values_list("status").annotate(n=Count("id")))
    return {label: counts.get(value, 0) for value, label in LeadStatus.choices}


def dashboard_figures(*, user, store_key: str) -> dict:
    """The figures for ``user`` on the current dealership's dashboard (the caller checks the permission)."""
    with_pnl = user.has_perm("books.view_reports")
    scope = "all" if can_see_all(user) else f"user{user.pk}"  # an agent's funnel counts only their leads
    figures_key, funnel_key = f"dashboard:figures:{int(with_pnl)}", f"dashboard:funnel:{scope}"
    found = _cached({figures_key: lambda: _figures(store_key, with_pnl), funnel_key: lambda: _funnel(user)})
    return {**found[figures_key], "funnel": found[funnel_key]}
