"""Reads. Anything that lives in the public store is evaluated inside ``conf.public_context()``
(querysets are lazy, so these return evaluated lists, never querysets that escape the context)."""
import functools
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import F, Q, Sum
from django.utils import timezone

from forecourt_core.rows import columns, instances

from . import conf, errors, search_cursor
from .models import Car, DailyCarStats, ListingIndex, OwnershipRecord, SavedCar, StoreSale
from .services._common import can_see, is_listed  # noqa: F401  (is_listed: read by api.views as a selector)

SORTS = {
    # Expired featuring is cleared by the periodic expire task; this order uses a partial index.
    "featured": (F("featured_until").desc(nulls_last=True), F("listed_at").desc(), "-id"),
    "newest": (F("listed_at").desc(), "-id"),
    "price": ("price", "id"),
    "-price": ("-price", "-id"),
}


@dataclass
class Page:
    count: int
    results: list
    count_capped: bool = False
    next_cursor: str | None = None  # marketplace only: continues after the last row (keyset)


def marketplace_queryset(*, filters: dict):
    qs = ListingIndex.objects.filter(is_for_sale=True)
    if conf.get("CAR_LISTING_REQUIRE_VERIFICATION"):
        qs = qs.filter(verified=True)
    f = filters
    if f.get("make"):
        qs = qs.filter(make__iexact=f["make"])
    if f.get("model"):
        qs = qs.filter(model__iexact=f["model"])
    for key, lookup in (("year_min", "year__gte"), ("year_max", "year__lte"), ("price_min", "price__gte"),
                        ("price_max", "price__lte")):
        if f.get(key) is not None:
            qs = qs.filter(**{lookup: f[key]})
    for key in ("body_type", "fuel", "transmission", "sale_type"):
        if f.get(key):
            qs = qs.filter(**{key: f[key]})
    if f.get("store") is not None:
        qs = qs.filter(store_key=f["store"])
    if f.get("q"):
        qs = qs.filter(search_vector=SearchQuery(f["q"], config=conf.get("CAR_LISTING_SEARCH_CONFIG"),
                                                 search_type="websearch"))
    return qs


def marketplace_page(*, filters: dict, sort: str = "featured", offset: int = 0, limit: int = 20,
                     cursor: str | None = None) -> Page:
    """Marketplace search over every store: two queries (count + page), whatever the page size.
    The count stops at CAR_LISTING_SEARCH_COUNT_CAP so a broad search costs the same at 1k or 1M rows.
    A full page carries ``next_cursor``; passing it back as ``cursor`` continues after that page's last row
    through the sort's index (keyset) instead of OFFSET, whose cost grows with the depth. The count is
    always the whole search's."""
    sort = sort if sort in SORTS else "featured"
    cap = conf.get("CAR_LISTING_SEARCH_COUNT_CAP")
    with conf.public_context():
        qs = marketplace_queryset(filters=filters)
        page_qs = qs
        if cursor:  # a bad cursor fails here, before any query
            page_qs, offset = search_cursor.after(qs, sort=sort, token=cursor), 0
        count = qs[:cap + 1].count() if cap else qs.count()
        rows = list(page_qs.order_by(*SORTS[sort]).defer("search_vector")[offset:offset + limit])
    capped = bool(cap) and count > cap
    next_cursor = search_cursor.encode(sort, rows[-1]) if rows and len(rows) == limit else None
    return Page(count=min(count, cap) if capped else count, results=rows, count_capped=capped,
                next_cursor=next_cursor)


def car_get(*, store_key: str, car_id, user=None) -> Car:
    """A live car with its images; a car that is not publicly listed is visible only to whoever manages it
    (and to verifiers)."""
    with conf.store_context(store_key):
        try:
            car = (Car.objects.select_related("owner").prefetch_related("images")
                   .get(store_key=store_key, pk=int(car_id), deleted_at__isnull=True))
        except (Car.DoesNotExist, ValueError, TypeError):
            raise errors.CarNotFound() from None
        list(car.images.all())
        # Asked inside the car's store: a site answers permissions per store (a dealership role), so
        # managing the current store's cars must not reveal another store's unlisted ones.
        if not can_see(user, car):
            raise errors.CarNotFound()
    return car


def store_cars(*, store_key: str, owner=None, offset: int = 0, limit: int = 20) -> Page:
    """Cars of a store (its inventory), or a user's own cars in the public store."""
    with conf.store_context(store_key):
        qs = Car.objects.filter(store_key=store_key, deleted_at__isnull=True).prefetch_related("images")
        if owner is not None:
            qs = qs.filter(owner=owner)
        count = qs.count()
        rows = list(qs.order_by("-id")[offset:offset + limit])
    return Page(count=count, results=rows)


def unsold_cars(*, store_key: str, limit: int = 200) -> list[Car]:
    """A store's cars not sold and not deleted, newest first (what a lead or an offer can be about)."""
    with conf.store_context(store_key):
        return list(Car.objects.filter(store_key=store_key, deleted_at__isnull=True, is_sold=False)
                    .order_by("-id")[:limit])


def saved_cars(*, user, offset: int = 0, limit: int = 20) -> Page:
    """The user's saved cars as index rows (None for a car that left the index)."""
    with conf.public_context():
        qs = SavedCar.objects.filter(user=user)
        count = qs.count()
        saved = list(qs[offset:offset + limit])
        q = Q(pk__in=[])
        for s in saved:
            q |= Q(store_key=s.store_key, car_id=s.car_id)
        index = {(r.store_key, r.car_id): r for r in ListingIndex.objects.filter(q).defer("search_vector")} \
            if saved else {}
    return Page(count=count, results=[(s, index.get((s.store_key, s.car_id))) for s in saved])


def purchases(*, user, offset: int = 0, limit: int = 20) -> Page:
    with conf.public_context():
        qs = (OwnershipRecord.objects.filter(owner=user, kind__in=[OwnershipRecord.Kind.PURCHASE,
                                                                   OwnershipRecord.Kind.STORE_PURCHASE])
              .select_related("car", "previous_owner").order_by("-id"))
        count = qs.count()
        rows = list(qs[offset:offset + limit])
    return Page(count=count, results=rows)


def sold_by(*, user, offset: int = 0, limit: int = 20) -> Page:
    """The user's own cars that other users bought from them (newest first): their sold listings."""
    with conf.public_context():
        qs = (OwnershipRecord.objects.filter(previous_owner=user, kind=OwnershipRecord.Kind.PURCHASE)
              .select_related("car", "owner").order_by("-id"))
        count = qs.count()
        rows = list(qs[offset:offset + limit])
    return Page(count=count, results=rows)


def ownership_history(*, car: Car) -> list[OwnershipRecord]:
    with conf.store_context(car.store_key):
        return list(car.ownership_records.select_related("owner", "previous_owner").order_by("id"))


def price_history(*, car: Car) -> list[dict]:
    """Price/status changes from django-simple-history, oldest first, consecutive duplicates dropped."""
    with conf.store_context(car.store_key):
        rows = list(car.history.order_by("history_date", "history_id")
                    .values("history_date", "price", "is_for_sale", "is_sold", "verification_status"))
    out, last = [], None
    for r in rows:
        key = (r["price"], r["is_for_sale"], r["is_sold"], r["verification_status"])
        if key != last:
            out.append(r)
        last = key
    return out


def store_sales(*, store_key: str, offset: int = 0, limit: int = 50) -> Page:
    with conf.store_context(store_key):
        qs = StoreSale.objects.filter(store_key=store_key).select_related("car")
        count = qs.count()
        rows = list(qs[offset:offset + limit])
    return Page(count=count, results=rows)


def _rate(num: int, den: int) -> Decimal:
    return (Decimal(num) / Decimal(den)).quantize(Decimal("0.0001"), ROUND_HALF_UP) if den else Decimal("0")


def car_analytics(*, store_key: str, car_id: int, days: int = 30) -> dict:
    since = timezone.localdate() - timedelta(days=days - 1)
    with conf.public_context():
        qs = DailyCarStats.objects.filter(store_key=store_key, car_id=car_id, day__gte=since).order_by("day")
        daily = list(qs.values("day", "views", "likes", "clicks", "saves"))
        totals = qs.aggregate(views=Sum("views"), likes=Sum("likes"), clicks=Sum("clicks"), saves=Sum("saves"))
    totals = {k: v or 0 for k, v in totals.items()}
    leads = conf.lead_count(store_key=store_key, car_id=car_id, since=since)
    totals["leads"] = leads
    return {
        "since": since, "days": days, "daily": daily, "totals": totals,
        "conversion": {"view_to_save": _rate(totals["saves"], totals["views"]),
                       "save_to_lead": _rate(leads, totals["saves"]),
                       "view_to_lead": _rate(leads, totals["views"])},
    }


def purchase_by_key(*, buyer, idempotency_key: str) -> OwnershipRecord | None:
    """The ``buyer``'s purchase made with ``idempotency_key`` (ownership records live in the public store).
    Its ``car`` is read on first use, in whatever store is then active: read it inside
    ``conf.public_context()``. Every purchase of a private seller's car with a key asks first, and almost
    always finds none: one statement built once per process (forecourt_core.rows)."""
    with conf.public_context():
        found = instances(OwnershipRecord, _purchase_by_key_sql(), [buyer.pk, idempotency_key])
    return found[0] if found else None


@functools.cache
def _purchase_by_key_sql() -> str:
    quote, meta = connection.ops.quote_name, OwnershipRecord._meta
    owner, key = (quote(meta.get_field(name).column) for name in ("owner", "idempotency_key"))
    # At most one row: the unique constraint car_listing_purchase_idem_uniq is on these two columns.
    return f"SELECT {columns(OwnershipRecord)} FROM {quote(meta.db_table)} WHERE {owner} = %s AND {key} = %s"  # noqa: S608
