"""Helpers shared by the service modules: car lookup in a store and the permission rules."""
from django.utils import timezone

from .. import errors
from ..models import Car

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
    if user is None or not user.is_authenticated or not (user.is_staff or user.has_perm(VERIFY_PERM)):
        raise errors.NotAllowed()


def now():
    return timezone.now()
