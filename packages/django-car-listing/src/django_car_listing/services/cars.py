"""Car lifecycle in a store: create, update, soft delete, put on / return from sale, verification."""
from django.db import IntegrityError, transaction

from forecourt_core.amounts import validate_amount
from forecourt_core.signals import send_on_commit

from .. import conf, errors
from ..models import Car, OwnershipRecord, Verification
from ..signals import car_created, car_listed, car_unlisted, car_verified
from ..validators import normalize_vin, vin_problem
from ._common import ADD_PERM, get_car, now, require_manage, require_verifier, violates, visible_car
from .events import record_car_listed, record_car_verified
from .index import index_sync

EDITABLE_FIELDS = ("make", "model", "year", "price", "mileage", "vin", "body_type", "fuel", "transmission",
                   "colour", "sale_type", "description", "location")
# Changing what the car *is* sends it back to verification.
REVERIFY_FIELDS = {"make", "model", "year", "vin"}


def _clean(data: dict) -> dict:
    data = dict(data)
    if "vin" in data:
        data["vin"] = normalize_vin(data["vin"])
        if problem := vin_problem(data["vin"]):
            raise errors.InvalidVin(problem)
    if "price" in data:
        data["price"] = validate_amount(data["price"])
    return data


def _save(car: Car, *, savepoint: bool = True, **kwargs) -> None:
    # Without a savepoint (a caller that gives up on DuplicateVin anyway) one statement instead of three.
    try:
        with transaction.atomic(savepoint=savepoint):
            car.save(**kwargs)
    except IntegrityError as exc:
        raise_duplicate_vin(exc)


def raise_duplicate_vin(exc: IntegrityError):
    """DuplicateVin for a violation of the live-VIN constraint, else ``exc`` itself."""
    if violates(exc, "car_listing_car_vin_live_uniq"):
        raise errors.DuplicateVin() from None
    raise exc


@transaction.atomic
def car_create(*, actor, store_key: str | None = None, **fields) -> Car:
    """Create a car in ``store_key`` (default: the current store). Public: ``actor`` becomes the owner.
    Store: needs ``car_listing.add_car``; the store owns it. A new car is not for sale and not sold."""
    store_key = conf.current_store() if store_key is None else store_key
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown car fields: {sorted(unknown)}")
    if store_key and not actor.has_perm(ADD_PERM):
        raise errors.NotAllowed()
    data = _clean(fields)
    with conf.store_context(store_key):
        car = Car(store_key=store_key, owner=None if store_key else actor, is_for_sale=False, is_sold=False, **data)
        car._history_user = actor
        _save(car)
        if not store_key:
            OwnershipRecord.objects.create(car=car, owner=actor, kind=OwnershipRecord.Kind.CREATED)
        index_sync(car=car)
    send_on_commit(car_created, sender=Car, store_key=store_key, car_id=car.pk, car=car, actor=actor)
    return car


@transaction.atomic
def car_update(*, actor, store_key: str, car_id: int, **fields) -> Car:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown car fields: {sorted(unknown)}")
    data = _clean(fields)
    with conf.store_context(store_key):
        car = visible_car(actor=actor, store_key=store_key, car_id=car_id, lock=True)
        require_manage(actor, car)
        if car.store_key and car.is_sold:
            raise errors.CarSold()
        changed = {k for k, v in data.items() if getattr(car, k) != v}
        for k in changed:
            setattr(car, k, data[k])
        if changed & REVERIFY_FIELDS and car.verification_status != Verification.SUBMITTED:
            car.verification_status, car.rejection_reason = Verification.SUBMITTED, ""
        if changed:
            car._history_user = actor
            _save(car)
            index_sync(car=car)
    return car


@transaction.atomic
def car_delete(*, actor, store_key: str, car_id: int) -> Car:
    """Soft delete: the row stays (history, sales), it leaves every list and the index."""
    with conf.store_context(store_key):
        car = visible_car(actor=actor, store_key=store_key, car_id=car_id, lock=True)
        require_manage(actor, car)
        was_listed = car.is_for_sale
        car.deleted_at, car.is_for_sale = now(), False
        car._history_user = actor
        car.save(update_fields=["deleted_at", "is_for_sale", "updated_at"])
        index_sync(car=car)
    if was_listed:
        send_on_commit(car_unlisted, sender=Car, store_key=store_key, car_id=car.pk, car=car, actor=actor)
    return car


@transaction.atomic
def car_put_on_sale(*, actor, store_key: str, car_id: int, price=None) -> Car:
    """Owner (or store staff) lists the car: for sale, not sold. Idempotent when already listed."""
    with conf.store_context(store_key):
        car = visible_car(actor=actor, store_key=store_key, car_id=car_id, lock=True)
        require_manage(actor, car)
        if car.store_key and car.is_sold:
            raise errors.CarSold()
        new_price = validate_amount(price) if price is not None else car.price
        if car.is_for_sale and new_price == car.price:
            return car
        car.is_for_sale, car.is_sold, car.price = True, False, new_price
        car._history_user = actor
        car.save(update_fields=["is_for_sale", "is_sold", "price", "updated_at"])
        index_sync(car=car)
        record_car_listed(car=car, actor=actor)
    send_on_commit(car_listed, sender=Car, store_key=store_key, car_id=car.pk, car=car, actor=actor)
    return car


@transaction.atomic
def car_return_from_sale(*, actor, store_key: str, car_id: int) -> Car:
    """Owner (or store staff) takes the car off sale; it can no longer be bought. Idempotent."""
    with conf.store_context(store_key):
        car = visible_car(actor=actor, store_key=store_key, car_id=car_id, lock=True)
        require_manage(actor, car)
        if not car.is_for_sale:
            return car
        car.is_for_sale = False
        car._history_user = actor
        car.save(update_fields=["is_for_sale", "updated_at"])
        index_sync(car=car)
    send_on_commit(car_unlisted, sender=Car, store_key=store_key, car_id=car.pk, car=car, actor=actor)
    return car


@transaction.atomic
def car_mark_sold(*, store_key: str, car_id: int, actor=None) -> Car:
    """A car sold outside the platform (a CRM sale paid offline): off sale and out of the marketplace
    for good, so nobody can buy it again. The caller checks permission (e.g. django-leads' win)."""
    with conf.store_context(store_key):
        car = get_car(store_key=store_key, car_id=car_id, lock=True)
        if car.is_sold:
            raise errors.CarNotAvailable()
        car.is_for_sale, car.is_sold = False, True
        car._history_user = actor
        car.save(update_fields=["is_for_sale", "is_sold", "updated_at"])
        index_sync(car=car)
    send_on_commit(car_unlisted, sender=Car, store_key=store_key, car_id=car.pk, car=car, actor=actor)
    return car


@transaction.atomic
def car_verify(*, actor, store_key: str, car_id: int) -> Car:
    """Platform staff verify a car. Verifying a verified car is a no-op (no second signal)."""
    with conf.store_context(store_key):
        car = visible_car(actor=actor, store_key=store_key, car_id=car_id, lock=True)
        require_verifier(actor)
        if car.verification_status == Verification.VERIFIED:
            return car
        car.verification_status, car.rejection_reason = Verification.VERIFIED, ""
        car._history_user = actor
        car.save(update_fields=["verification_status", "rejection_reason", "updated_at"])
        index_sync(car=car)
        record_car_verified(car=car, actor=actor)
    send_on_commit(car_verified, sender=Car, store_key=store_key, car_id=car.pk, car=car, actor=actor)
    return car


@transaction.atomic
def car_reject(*, actor, store_key: str, car_id: int, reason: str) -> Car:
    reason = (reason or "").strip()
    with conf.store_context(store_key):
        car = visible_car(actor=actor, store_key=store_key, car_id=car_id, lock=True)
        require_verifier(actor)
        if not reason:
            raise errors.ReasonRequired()
        if car.verification_status == Verification.REJECTED and car.rejection_reason == reason:
            return car
        car.verification_status, car.rejection_reason = Verification.REJECTED, reason
        car._history_user = actor
        car.save(update_fields=["verification_status", "rejection_reason", "updated_at"])
        index_sync(car=car)
        record_car_verified(car=car, actor=actor)
    # One signal for the verification decision; car.verification_status says which.
    send_on_commit(car_verified, sender=Car, store_key=store_key, car_id=car.pk, car=car, actor=actor)
    return car
