"""The domain events car-listing records (forecourt_core.events), each in the transaction of its change.

Recorded inside the car's store context, so a dealership's event is handled in that dealership.
Kinds: ``car_listing.car_listed``, ``car_listing.car_verified`` (verified or rejected: see
``status``) and ``car_listing.car_purchased``.
"""
from forecourt_core.events.services import event_insert, event_record

from ..models import Car

CAR_PURCHASED = "car_listing.car_purchased"


def car_facts(car: Car) -> dict:
    """What a message about the car needs without reading it again."""
    return {"store_key": car.store_key, "car_id": car.pk, "make": car.make, "model": car.model, "year": car.year,
            "vin": car.vin, "price": car.price, "owner_id": car.owner_id}


def record_car_listed(*, car: Car, actor) -> None:
    event_record(kind="car_listing.car_listed", data={**car_facts(car), "actor_id": getattr(actor, "pk", None)})


def record_car_verified(*, car: Car, actor) -> None:
    event_record(kind="car_listing.car_verified",
                 data={**car_facts(car), "status": car.verification_status, "reason": car.rejection_reason,
                       "actor_id": getattr(actor, "pk", None)})


def _purchased(*, car: Car, buyer, seller_id: int | None, buyer_car_id: int, sale_id: int | None) -> dict:
    return {**car_facts(car), "owner_id": seller_id, "seller_id": seller_id, "buyer_id": buyer.pk,
            "buyer_car_id": buyer_car_id, "sale_id": sale_id}


def record_car_purchased(*, car: Car, buyer, seller_id: int | None, buyer_car_id: int, sale_id: int | None) -> None:
    """``car`` is the bought car as loaded in its store (``seller_id`` None: a store's car)."""
    event_record(kind=CAR_PURCHASED, data=_purchased(car=car, buyer=buyer, seller_id=seller_id,
                                                                 buyer_car_id=buyer_car_id, sale_id=sale_id))


def public_car_purchased_statement(*, car: Car, buyer, seller_id: int) -> tuple[str, list]:
    """The INSERT (sql, params) of a public car's car_purchased event, the row ``record_car_purchased`` writes
    (forecourt_core's ``event_insert``), for the statement that moves the car (``car`` as bought, in place:
    the buyer's car is the same car). Once it has run, call ``event_recorded(CAR_PURCHASED)``."""
    data = _purchased(car=car, buyer=buyer, seller_id=seller_id, buyer_car_id=car.pk, sale_id=None)
    return event_insert(kind=CAR_PURCHASED, data=data)


def store_sale_purchased_statement(*, sale_rows: str, car: Car, buyer, buyer_car_id: int) -> tuple[str, list]:
    """The INSERT (sql, params) of a store car's car_purchased event, the row ``record_car_purchased`` writes
    (forecourt_core's ``event_insert``), for the statement that writes the sale: ``sale_rows`` names its CTE
    of the StoreSale's INSERT RETURNING id, which becomes the event's ``sale_id``. Once it has run, call
    ``event_recorded(CAR_PURCHASED)``."""
    data = _purchased(car=car, buyer=buyer, seller_id=None, buyer_car_id=buyer_car_id, sale_id=None)
    return event_insert(kind=CAR_PURCHASED, data=data, source=sale_rows,
                        data_sql=f"%s::jsonb || jsonb_build_object('sale_id', {sale_rows}.id)")
