"""Saved cars, interaction tracking (deduplicated per actor per car per day, rolled into daily counts)
and paid featuring. These rows live in the public store and name a car by (store_key, car_id)."""
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from django_wallet import services as wallet

from .. import cache, conf, errors
from ..models import Car, DailyCarStats, Interaction, InteractionKind, ListingIndex, SavedCar
from ._common import now, require_manage, visible_car
from .index import index_sync

_COUNTER = {"view": "views", "like": "likes", "click": "clicks", "save": "saves"}


def _car_visible(store_key: str, car_id: int, user=None) -> None:
    """Only a car the actor may see (listed, or theirs to manage) is saved or tracked: an unlisted car is
    a 404 as on GET, so these never confirm that another store's unlisted car id exists."""
    with conf.store_context(store_key):
        visible_car(actor=user, store_key=store_key, car_id=car_id)


def actor_key(*, user=None, session_key: str | None = None) -> str:
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    if session_key:
        return f"s:{session_key[:64]}"
    raise errors.InvalidInteraction("An anonymous interaction needs a session.")


@transaction.atomic
def interaction_record(*, store_key: str, car_id: int, kind: str, user=None, session_key: str | None = None,
                       check_car: bool = True) -> bool:
    """Record one interaction; returns False when this actor already did it today (dedup)."""
    if kind not in InteractionKind.values:
        raise errors.InvalidInteraction()
    car_id = int(car_id)
    if check_car:
        _car_visible(store_key, car_id, user)
    actor = actor_key(user=user, session_key=session_key)
    day = timezone.localdate()
    with conf.public_context():
        try:
            with transaction.atomic():
                Interaction.objects.create(store_key=store_key, car_id=car_id, kind=kind, actor=actor, day=day)
        except IntegrityError:
            return False
        col = _COUNTER[kind]
        table = DailyCarStats._meta.db_table
        # One statement, race-free: insert the day's row or bump its counter.
        initial = [1 if c == col else 0 for c in ("views", "likes", "clicks", "saves")]
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {table} (store_key, car_id, day, views, likes, clicks, saves) "  # noqa: S608
                f"VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (store_key, car_id, day) "
                f"DO UPDATE SET {col} = {table}.{col} + 1", [store_key, car_id, day, *initial])
    return True


@transaction.atomic
def car_save(*, user, store_key: str, car_id: int) -> SavedCar:
    car_id = int(car_id)
    _car_visible(store_key, car_id, user)
    with conf.public_context():
        saved, created = SavedCar.objects.get_or_create(user=user, store_key=store_key, car_id=car_id)
    if created:
        interaction_record(store_key=store_key, car_id=car_id, kind="save", user=user, check_car=False)
    return saved


@transaction.atomic
def car_unsave(*, user, store_key: str, car_id: int) -> None:
    with conf.public_context():
        SavedCar.objects.filter(user=user, store_key=store_key, car_id=int(car_id)).delete()


def _validate_days(days) -> int:
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise errors.InvalidDays() from None
    if not 1 <= days <= conf.get("CAR_LISTING_FEATURE_MAX_DAYS"):
        raise errors.InvalidDays()
    return days


@transaction.atomic
def car_feature(*, actor, store_key: str, car_id: int, days: int, idempotency_key: str | None = None) -> Car:
    """Pay days x fee from the owner's wallet (store cars: the store's account) to the fees account;
    the car sorts first until featured_until (extends a running featuring)."""
    days = _validate_days(days)
    fee = conf.get("CAR_LISTING_FEATURE_FEE_PER_DAY") * days
    with conf.store_context(store_key):
        car = visible_car(actor=actor, store_key=store_key, car_id=car_id, lock=True)
        require_manage(actor, car)
        with conf.public_context():
            payer = conf.store_account(store_key) if store_key else wallet.account_for(car.owner)
            fees = wallet.system_account(conf.get("CAR_LISTING_FEATURE_FEE_ACCOUNT"))
            wallet.transfer(source=payer, destination=fees,
                            amount=fee, kind="car_feature", memo=f"Featuring car {car.pk} for {days} days",
                            metadata={"store_key": store_key, "car_id": car.pk, "days": days},
                            idempotency_key=idempotency_key, idempotency_scope=f"car_listing.feature:{actor.pk}")
        start = max(now(), car.featured_until or now())
        car.featured_until = start + timedelta(days=days)
        car._history_user = actor
        car.save(update_fields=["featured_until", "updated_at"])
        index_sync(car=car)
    return car


def featured_expire() -> int:
    """Clear expired featuring from the index (which is what sorts). Returns rows changed."""
    with conf.public_context():
        changed = ListingIndex.objects.filter(featured_until__lte=now()).update(featured_until=None)
    if changed:
        cache.bump_on_commit()  # cached search pages sort and flag by featuring
    return changed
