"""Marketplace facets: how many listings match each value of a filter (the search page's sidebar).

Each dimension's counts honour every other filter but not its own, so picking "Toyota" still lists
the other makes with their counts. Six queries (one per dimension, one for the totals and ranges),
served from the cache (``cache.py``) until the next index write.
"""
from django.db.models import Count, Max, Min

from . import cache, conf
from .selectors import marketplace_queryset

DIMENSIONS = ("make", "body_type", "fuel", "transmission", "sale_type")
MAX_VALUES = 50  # per dimension, the most frequent first


def _counts(filters: dict, dim: str) -> list[dict]:
    own = {dim} | ({"model"} if dim == "make" else set())  # a model filter would pin the make
    qs = marketplace_queryset(filters={k: v for k, v in filters.items() if k not in own})
    rows = qs.values(dim).annotate(count=Count("id")).order_by("-count", dim)[:MAX_VALUES]
    return [{"value": r[dim], "count": r["count"]} for r in rows]


def facets_count(*, filters: dict) -> dict:
    """The counts, uncached (``marketplace_facets`` caches them; the API caches its rendered body)."""
    with conf.public_context():
        totals = marketplace_queryset(filters=filters).aggregate(
            count=Count("id"), price_min=Min("price"), price_max=Max("price"), year_min=Min("year"),
            year_max=Max("year"))
        return {
            "count": totals["count"],
            "price": {"min": totals["price_min"], "max": totals["price_max"]},
            "year": {"min": totals["year_min"], "max": totals["year_max"]},
            "facets": {dim: _counts(filters, dim) for dim in DIMENSIONS},
        }


def marketplace_facets(*, filters: dict) -> dict:
    """Counts per value of each dimension for a marketplace search (same filters as ``marketplace_page``)."""
    filters = {k: v for k, v in filters.items() if k not in ("sort", "cursor", "page", "page_size")}
    return cache.cached(cache.key_for("facets", filters), lambda: facets_count(filters=filters))
