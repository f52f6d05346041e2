"""django-car-listing's own handlers of the event relay (forecourt_core.events): index work a purchase
need not wait for.

A store's car bought becomes a new public car of the buyer's, not for sale: nothing reads its index row
until it is listed (and listing it writes the row itself), so the purchase leaves the row to the relay.
``index_sync`` writes the car as it is when the event is handled, so a redelivered event, or one
handled after the buyer listed the car, leaves the row right. The handler locks the car first, as every
service does before writing its row: a listing that comes meanwhile waits, then writes the row itself,
instead of the handler's copy read before the listing overwriting the listing's row.
"""
from forecourt_core.events.registry import handles

from . import conf
from .models import Car
from .services.index import index_sync


@handles("car_listing.car_purchased", name="car_listing.index_bought_car")
def index_bought_car(event) -> None:
    if not event.data["store_key"]:  # a public car changed hands in place: the purchase synced its row
        return
    with conf.public_context():
        car = Car.objects.select_for_update().filter(store_key="", pk=event.data["buyer_car_id"]).first()
        if car is not None:
            index_sync(car=car)
