"""Helpers shared by the service modules: car lookup in a store and the permission rules."""
from django.db import IntegrityError
from django.utils import timezone

from .. import conf, errors
from ..models import Car, Verification

MANAGE_PERM = "car_listing.change_car"
ADD_PERM = "car_listing.add_car"
VERIFY_PERM = "car_listing.verify_car"


def get_car(*, store_key: str, car_id, lock: bool = False) -> Car:
    """A live car of ``store_key``; call inside that store's context."""
    qs = Car.objects.filter(store_key=store_key, deleted_at__isnull=True)
    if lock:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=int(car_id))
    except (Car.DoesNotExist, ValueError, TypeError):
        raise errors.CarNotFound() from None


def visible_car(*, actor, store_key: str, car_id, lock: bool = False) -> Car:
    """``get_car`` for an actor: a car the actor may not see is CarNotFound, whatever the operation, so no
    answer (403 not_owner, 409 car_not_available, ...) tells an unlisted car from a missing one. Call inside
    the car's store context (a site answers permissions per store)."""
    car = get_car(store_key=store_key, car_id=car_id, lock=lock)
    if not can_see(actor, car):
        raise errors.CarNotFound()
    return car


def is_listed(car: Car) -> bool:
    """Publicly listed: for sale and, where verification is required, verified."""
    return car.is_for_sale and (not conf.get("CAR_LISTING_REQUIRE_VERIFICATION")
                                or car.verification_status == Verification.VERIFIED)


def is_verifier(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_staff or user.has_perm(VERIFY_PERM)))


def can_see(user, car: Car) -> bool:
    """A listed car is everyone's to see; an unlisted one only its managers' and the verifiers'."""
    return is_listed(car) or can_manage(user, car) or is_verifier(user)


def can_manage(user, car: Car) -> bool:
    """Public cars: the owner. Store cars: the store's staff (plain Django permission, the site answers it
    from the role in the current store)."""
    if user is None or not user.is_authenticated:
        return False
    if car.store_key:
        return user.has_perm(MANAGE_PERM)
    return car.owner_id == user.pk


def require_manage(user, car: Car) -> None:
    if not can_manage(user, car):
        raise errors.NotOwner()


def require_verifier(user) -> None:
    if not is_verifier(user):
        raise errors.NotAllowed()


def now():
    return timezone.now()


def violates(exc: IntegrityError, constraint: str) -> bool:
    """Whether ``exc`` is a violation of ``constraint``, by the name the driver reports (Django's IntegrityError
    wraps psycopg's, whose ``diag`` holds it), never by the message: its DETAIL line quotes the row's values.
    On a Citus worker the name is the shard's: the constraint's name with ``_<shard id>`` appended."""
    diag = getattr(exc.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None) or ""
    return name == constraint or (name.startswith(constraint + "_") and name[len(constraint) + 1:].isdigit())
