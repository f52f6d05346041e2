"""Keeps the public-store ListingIndex in step with cars, in the caller's transaction (but for a bought
store car's new public copy, not for sale, which the car_purchased event's handler indexes: handlers.py)."""
import functools

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Value
from django.utils import timezone

from .. import cache, conf
from ..models import Car, ListingIndex, Verification


def _thumbnail_name(car: Car) -> str:
    first = car.images.order_by("position", "id").values_list("thumbnail", "image").first()
    return (first[0] or first[1]) if first else ""


def _fields(car: Car, thumbnail: str) -> dict:
    return {
        "store_name": conf.store_name(car.store_key)[:128],
        "owner_id": car.owner_id,
        "make": car.make, "model": car.model, "year": car.year, "price": car.price,
        "mileage": car.mileage, "body_type": car.body_type, "fuel": car.fuel,
        "transmission": car.transmission, "colour": car.colour, "sale_type": car.sale_type,
        "location": car.location, "description": car.description,
        "thumbnail": thumbnail,
        "verified": car.verification_status == Verification.VERIFIED,
        "is_for_sale": car.is_for_sale and not car.is_sold,
        # An expired featuring must not come back when some other field changes.
        "featured_until": car.featured_until if car.featured_until and car.featured_until > timezone.now() else None,
    }


def _search_vector(car: Car):
    cfg = conf.get("CAR_LISTING_SEARCH_CONFIG")
    return (SearchVector(Value(car.make), weight="A", config=cfg)
            + SearchVector(Value(car.model), weight="A", config=cfg)
            + SearchVector(Value(car.description), weight="C", config=cfg))


def index_sync(*, car: Car) -> None:
    """Upsert the car's index row. Call inside the car's store context; reads stay there, the write
    happens in the public store (never re-saving the store-loaded row there)."""
    if car.deleted_at is not None or (car.store_key and car.is_sold):
        index_remove(store_key=car.store_key, car_id=car.pk)
        return
    fields = _fields(car, _thumbnail_name(car))
    with conf.public_context():
        row, created = ListingIndex.objects.select_for_update().get_or_create(
            store_key=car.store_key, car_id=car.pk, defaults=fields)
        if not created:
            if fields["is_for_sale"] and not row.is_for_sale:
                fields["listed_at"] = timezone.now()
            for k, v in fields.items():
                setattr(row, k, v)
        elif fields["is_for_sale"]:
            row.listed_at = timezone.now()
        row.search_vector = _search_vector(car)
        row.save()
    cache.bump_on_commit(car=(car.store_key, car.pk))


def index_bought_statement(*, car: Car, images: list[dict]) -> tuple[str, list]:
    """(sql, params) of what ``index_sync`` makes of the index row of a public car bought in place, for a
    caller that runs it in a statement of its own, in the public store; the caches are forgotten on commit
    all the same. ``car`` as bought (its new owner, off sale, not featured), ``images`` its images as dicts
    in (position, id) order. An existing row changes only in what the purchase changes; a missing one (an
    index not yet built, say) is written whole, as ``index_sync`` writes it."""
    cache.bump_on_commit(car=(car.store_key, car.pk))
    thumbnail = (images[0]["thumbnail"] or images[0]["image"]) if images else ""
    # The values as index_sync saves them, passed as they are (each a type the driver adapts itself).
    row = {"store_key": car.store_key, "car_id": car.pk, **_fields(car, thumbnail), "listed_at": None,
           "updated_at": timezone.now()}
    cfg = conf.get("CAR_LISTING_SEARCH_CONFIG")
    return _bought_sql(tuple(row)), [*row.values(), car.store_key, car.pk,
                                     cfg, car.make, cfg, car.model, cfg, car.description]


@functools.cache
def _bought_sql(names: tuple[str, ...]) -> str:
    quote, meta = connection.ops.quote_name, ListingIndex._meta
    table = quote(meta.db_table)
    col = {name: quote(meta.get_field(name).column) for name in
           {*names, "store_key", "car_id", "search_vector", "owner_id", "is_for_sale", "featured_until", "updated_at"}}
    columns = ", ".join(col[name] for name in names)
    # _search_vector in SQL (a test holds the row equal to index_sync's), computed only for a missing row:
    # the purchase changes none of its words, and an existing row keeps its own (COALESCE stops at it).
    vector = ("setweight(to_tsvector(%s::regconfig, %s), 'A') || setweight(to_tsvector(%s::regconfig, %s), 'A') "
              "|| setweight(to_tsvector(%s::regconfig, %s), 'C')")
    store_key, car_id, search, owner, updated = (col[name] for name in (
        "store_key", "car_id", "search_vector", "owner_id", "updated_at"))
    kept = f"SELECT {search} FROM {table} WHERE {store_key} = %s AND {car_id} = %s"  # noqa: S608
    return (f"INSERT INTO {table} ({columns}, {search}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(names))}, COALESCE(({kept}), {vector})) "
            f"ON CONFLICT ({store_key}, {car_id}) DO UPDATE SET {owner} = EXCLUDED.{owner}, "
            f"{col['is_for_sale']} = false, {col['featured_until']} = NULL, {updated} = EXCLUDED.{updated}")


def index_remove(*, store_key: str, car_id: int) -> None:
    with conf.public_context(), connection.cursor() as cur:
        cur.execute(*index_remove_statement(store_key=store_key, car_id=car_id))


def index_remove_statement(*, store_key: str, car_id: int) -> tuple[str, list]:
    """``index_remove`` as (sql, params) for a caller that runs it in a statement of its own, in the public
    store; the caches are forgotten on commit all the same."""
    # One DELETE: the ORM's delete() first selects the rows for signal receivers, and nothing listens
    # for an index row's deletion.
    cache.bump_on_commit(car=(store_key, car_id))
    return _remove_sql(), [store_key, car_id]


@functools.cache
def _remove_sql() -> str:
    quote, meta = connection.ops.quote_name, ListingIndex._meta
    store_key, car_id = (quote(meta.get_field(name).column) for name in ("store_key", "car_id"))
    return f"DELETE FROM {quote(meta.db_table)} WHERE {store_key} = %s AND {car_id} = %s"  # noqa: S608
