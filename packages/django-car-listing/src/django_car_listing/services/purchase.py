"""Buying a car: one DB transaction locks the car, moves the money through django-wallet and moves
the car to the buyer (a store car becomes a new public car owned by the buyer, plus a StoreSale).

The car's row lock comes first; the payment (wallet_post, which locks the accounts until COMMIT) comes
last, after every row that refers to its transaction, so a dealership's account, shared by all its
sales, is held for the payment alone. The work is grouped by schema (the car's store, the public store,
the store again for its sale, then the payment in public), and the writes are folded into one statement
where they can be: a car's change carries its history row and the rows that follow from it
(history.py, forecourt_core.rows; the lock reads the car's images too). What need not happen in the request
(notifications, the dealership's books, the index row of the buyer's new car, which is not for sale)
hangs on the car_purchased event.
"""
import uuid
from functools import cache

from django.db import IntegrityError, connection, transaction
from django.utils.functional import SimpleLazyObject

from django_wallet import services as wallet
from forecourt_core.events.services import event_recorded
from forecourt_core.rows import columns, insert_statement, instances, prefetched, stored
from forecourt_core.signals import send_on_commit

from .. import conf, errors
from ..models import Car, CarImage, OwnershipRecord, StoreSale, Verification
from ..signals import car_purchased
from ._common import can_see, now, violates
from .cars import raise_duplicate_vin
from .events import CAR_PURCHASED, public_car_purchased_statement, store_sale_purchased_statement
from .history import car_insert_with_history, car_update_with_history
from .index import index_bought_statement, index_remove_statement

COPIED_FIELDS = ("make", "model", "year", "price", "mileage", "vin", "body_type", "fuel", "transmission",
                 "colour", "sale_type", "description", "location", "verification_status")


def _idempotent_replay(*, buyer, store_key: str, car_id: int, idempotency_key: str):
    from ..selectors import purchase_by_key

    prior = purchase_by_key(buyer=buyer, idempotency_key=idempotency_key)
    if prior is None:
        return None
    if (prior.from_store_key, prior.from_car_id) != (store_key, car_id):
        raise errors.IdempotencyConflict()
    with conf.public_context():
        # The buyer's car is a public one; car_listing_car is in every store, and a caller that touched
        # ``prior.car`` under a store's search_path would read that store's car of the same id.
        prior.car  # noqa: B018 - loaded here, in the public store
    return prior


def _users():
    return Car._meta.get_field("owner").related_model


def _accounts(*, buyer, store_key: str, seller_id: int | None) -> tuple:
    """(the buyer's wallet account, the seller's or the store's) in one read, paying then paid as the wallet's
    and the hook's pairs are: a private seller's found by its id in SQL (the seller is not loaded), a
    store's through CAR_LISTING_STORE_ACCOUNT_WITH."""
    if seller_id is None:
        return conf.store_account_with(buyer, store_key)
    users = _users()
    return wallet.account_for_with_owner_by(buyer, users, **{users._meta.pk.name: seller_id})


def _raise_for(exc: IntegrityError):
    """IdempotencyConflict when the buyer's key is already an OwnershipRecord's (another car bought with it,
    maybe by a concurrent request that committed first), else as ``raise_duplicate_vin``. The unique index
    answers this on the write itself: no look-up before it on the happy path."""
    if violates(exc, "car_listing_purchase_idem_uniq"):
        raise errors.IdempotencyConflict() from None
    raise_duplicate_vin(exc)


def _check_buyable(car: Car, buyer) -> None:
    if not car.is_for_sale or car.is_sold:
        raise errors.CarNotAvailable()
    if not car.store_key and car.owner_id == buyer.pk:
        raise errors.OwnCar()
    if conf.get("CAR_LISTING_REQUIRE_VERIFICATION") and car.verification_status != Verification.VERIFIED:
        raise errors.NotVerified()


def _move_public_car(*, car: Car, buyer, txn_id: uuid.UUID, idempotency_key) -> OwnershipRecord:
    """Public car: ownership moves to the buyer, off sale (its index row too), history, the OwnershipRecord
    and the purchase event appended, in one statement."""
    seller_id = car.owner_id
    car.owner, car.is_for_sale, car.is_sold, car.featured_until = buyer, False, True, None
    record = OwnershipRecord(
        car=car, owner=buyer, previous_owner_id=seller_id, kind=OwnershipRecord.Kind.PURCHASE, price=car.price,
        from_store_key="", from_car_id=car.pk, wallet_transaction_id=txn_id, idempotency_key=idempotency_key)
    try:
        record.pk, *_ = car_update_with_history(
            car, fields=["owner", "is_for_sale", "is_sold", "featured_until"], user=buyer, date=now(),
            then=[insert_statement(record), index_bought_statement(car=car, images=car.copied_images),
                  public_car_purchased_statement(car=car, buyer=buyer, seller_id=seller_id)])
    except IntegrityError as exc:
        _raise_for(exc)
    event_recorded(CAR_PURCHASED)
    stored(record)
    prefetched(car, "images", [CarImage(car=car, **img) for img in car.copied_images])  # for the response
    return record


def _locked_car(store_key: str, car_id: int) -> Car:
    """``get_car(lock=True)`` in one raw statement, read without a RawQuerySet (forecourt_core.rows), with
    ``copied_images``, the car's images read in the same statement (the lock is the car row's alone): a store
    car's are copied to the buyer's car, a public car's shown in the response."""
    found = instances(Car, _locked_sql(), [car_id, store_key], rest=True)
    if not found:
        raise errors.CarNotFound()
    car, (car.copied_images,) = found[0]
    return car


@cache
def _locked_sql() -> str:
    quote = connection.ops.quote_name
    table, meta = quote(Car._meta.db_table), CarImage._meta
    img = {name: quote(meta.get_field(name).column)
           for name in ("id", "image", "thumbnail", "width", "height", "position", "car")}
    built = ", ".join(f"'{name}', {column}" for name, column in img.items() if name != "car")
    images = (f"SELECT COALESCE(json_agg(json_build_object({built}) ORDER BY {img['position']}, {img['id']}), "  # noqa: S608
              f"'[]'::json) FROM {quote(meta.db_table)} WHERE {img['car']} = {table}.{quote(Car._meta.pk.column)}")
    car = {name: quote(Car._meta.get_field(name).column) for name in ("id", "store_key", "deleted_at")}
    return (f"SELECT {columns(Car)}, ({images}) FROM {table} "  # noqa: S608
            f"WHERE {car['id']} = %s AND {car['store_key']} = %s AND {car['deleted_at']} IS NULL FOR UPDATE")


def _copy_to_buyer(*, car: Car, buyer, images: list[dict], txn_id: uuid.UUID, idempotency_key) -> OwnershipRecord:
    """In the public store: the store's listing leaves the index and the buyer gets a NEW public car
    (never re-save the store-loaded row in the public store: ids restart per store), with its history
    row and the buyer's OwnershipRecord, in one statement."""
    new_car = Car(store_key="", owner=buyer, is_for_sale=False, is_sold=True, origin_store_key=car.store_key,
                  origin_car_id=car.pk, **{f: getattr(car, f) for f in COPIED_FIELDS})
    date = now()
    record = OwnershipRecord(car=new_car, owner=buyer, kind=OwnershipRecord.Kind.STORE_PURCHASE, price=car.price,
                             from_store_key=car.store_key, from_car_id=car.pk, wallet_transaction_id=txn_id,
                             idempotency_key=idempotency_key)
    owned = insert_statement(record, skip={"car_id"}, given={"car_id": "car.id"}, source="car")
    try:  # a duplicate VIN or a key already used ends the purchase: nothing to roll back to
        record.pk, _ = car_insert_with_history(
            new_car, user=buyer, date=date,
            then=[owned, index_remove_statement(store_key=car.store_key, car_id=car.pk)])
    except IntegrityError as exc:
        _raise_for(exc)
    record.car = new_car
    stored(record)
    # Same file names: the store key is in the path, so the URLs stay valid. The response shows these.
    copies = CarImage.objects.bulk_create([CarImage(car=new_car, **{**img, "id": None}) for img in images])
    prefetched(new_car, "images", copies)
    # Its index row is written by the car_purchased event's handler (handlers.py): it is not for sale.
    return record


def _record_store_sale(*, car: Car, buyer, record: OwnershipRecord, txn_id: uuid.UUID) -> StoreSale:
    """Back in the car's store (its row still locked): the car marked sold (the store keeps the archived row),
    with its history row, its sale and the purchase event (handled in that dealership), in one statement."""
    with conf.store_context(car.store_key):
        sale = StoreSale(car=car, store_key=car.store_key, buyer=buyer, price=car.price, public_car_id=record.car_id,
                         wallet_transaction_id=txn_id)
        car.is_for_sale, car.is_sold = False, True
        sale.pk, _ = car_update_with_history(
            car, fields=["is_for_sale", "is_sold"], user=buyer, date=now(),
            then=[insert_statement(sale),
                  store_sale_purchased_statement(sale_rows="then0", car=car, buyer=buyer, buyer_car_id=record.car_id)])
        event_recorded(CAR_PURCHASED)
        stored(sale)
    return sale


@transaction.atomic
def car_buy(*, buyer, store_key: str, car_id: int, idempotency_key: str | None = None) -> OwnershipRecord:
    """Buy a listed car. Returns the buyer's OwnershipRecord (``record.car`` is the buyer's public car).

    Raises CarNotFound, CarNotAvailable, OwnCar, NotVerified, IdempotencyConflict and the wallet's errors
    (InsufficientFunds, ...); any error rolls back the payment and every car change.
    """
    try:
        car_id = int(car_id)
    except (TypeError, ValueError):
        raise errors.CarNotFound() from None
    if idempotency_key and not store_key:
        # A public car bought with this key may be on sale again (its new owner relisted it): look first.
        # A store's car stays sold once bought, so the check after the lock below answers its replays.
        prior = _idempotent_replay(buyer=buyer, store_key=store_key, car_id=car_id, idempotency_key=idempotency_key)
        if prior is not None:
            return prior
    with conf.store_context(store_key):
        # The row lock serialises buyers: of many, one sees it for sale, the rest get car_not_available.
        car = _locked_car(store_key, car_id)
        # A car the buyer may not see is not found; one that was sold (it was on the market, and of many
        # racing buyers all but one find it so) is not available.
        if not can_see(buyer, car) and not car.is_sold:
            raise errors.CarNotFound()
        if idempotency_key and not car.is_for_sale:
            # A concurrent request with the same key may have just bought it: answer with its result.
            prior = _idempotent_replay(buyer=buyer, store_key=store_key, car_id=car_id,
                                       idempotency_key=idempotency_key)
            if prior is not None:
                return prior
        _check_buyable(car, buyer)
        seller_id = car.owner_id if not store_key else None
        images = car.copied_images if store_key else []  # json, not jsonb: psycopg decodes it
    # The payment is the last statement before COMMIT: wallet_post locks the accounts (a dealership's is
    # shared by all its sales) until then, so every row that refers to the transaction is written first,
    # under the id given to it here. No database constraint ties those rows to the transaction (its id is a
    # plain UUID column), so nothing checks it: a refusal raises and rolls back the rows written before it,
    # and a replayed payment under another id is refused below. The car's lock is taken first on every path,
    # the accounts' last.
    txn_id = uuid.uuid4()
    with conf.public_context():
        source, destination = _accounts(buyer=buyer, store_key=store_key, seller_id=seller_id)
        if store_key:
            record = _copy_to_buyer(car=car, buyer=buyer, images=images, txn_id=txn_id,
                                    idempotency_key=idempotency_key)
        else:
            record = _move_public_car(car=car, buyer=buyer, txn_id=txn_id, idempotency_key=idempotency_key)
    sale = _record_store_sale(car=car, buyer=buyer, record=record, txn_id=txn_id) if store_key else None
    with conf.public_context():
        txn = wallet.transfer(
            source=source, destination=destination, amount=car.price, kind="car_purchase",
            memo=f"Car {car.year} {car.make} {car.model} ({car.vin})",
            metadata={"store_key": store_key, "car_id": car.pk, "buyer_id": buyer.pk},
            idempotency_key=idempotency_key, idempotency_scope=f"car_listing.buy:{buyer.pk}", transaction_id=txn_id)
    if txn.pk != txn_id:
        # The wallet replayed this key's earlier payment (the checks above answer a real replay first): the
        # rows just written refer to a transaction that will not exist. Refuse; everything rolls back.
        raise errors.IdempotencyConflict()
    # The seller is read only if a receiver uses it (after the commit).
    seller = None if seller_id is None else SimpleLazyObject(lambda: _users()._default_manager.get(pk=seller_id))
    send_on_commit(car_purchased, sender=Car, store_key=store_key, car_id=car_id, car=record.car, buyer=buyer,
                   seller=seller, price=record.price, sale=sale, ownership_record=record)
    return record
