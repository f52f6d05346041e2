"""Domain events, sent on commit (``forecourt_core.signals.send_on_commit``, sender ``Car``). They announce;
receivers (the site's wiring) decide.

Every signal carries ``store_key`` and ``car_id`` (the stable cross-store name of a car) and the
``car`` instance as loaded in its store: receivers must not save it inside another store's context.
"""
from django.dispatch import Signal

car_created = Signal()    # store_key, car_id, car, actor
car_listed = Signal()     # store_key, car_id, car, actor
car_unlisted = Signal()   # store_key, car_id, car, actor
car_verified = Signal()   # store_key, car_id, car, actor; on verify and on reject (see car.verification_status)
# store_key, car_id (the bought car), car (buyer's car, public store), buyer, seller (user, read on first
# use, or None for a store car), price, sale (store StoreSale or None), ownership_record
car_purchased = Signal()

