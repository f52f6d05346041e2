"""Cars, their images and the marketplace index.

Design overview
---------------
A *store* is a place cars live in, named by ``store_key``: "" is the default/public store (private
sellers); a site may add more (a django-tenants site: one per dealership schema). The same tables
exist in every store; the package reaches a store only through ``conf.store_context(key)``.

* ``Car`` / ``CarImage`` / ``StoreSale`` / ``OwnershipRecord`` live in the car's store.
* ``ListingIndex``, ``SavedCar``, ``Interaction`` and ``DailyCarStats`` always live in the public
  store and refer to a car by ``(store_key, car_id)``: ids restart per store, so the pair is the only
  stable name of a car across stores. Rows are never re-saved in another store's context; moving a car
  between stores creates a new row.
* The index is written by the listing services in the same DB transaction as the car change, and is
  the only thing marketplace search reads.
"""
import os
import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from simple_history.models import HistoricalRecords

from forecourt_core.amounts import AmountField


class BodyType(models.TextChoices):
    SEDAN = "sedan", "Sedan"
    HATCHBACK = "hatchback", "Hatchback"
    WAGON = "wagon", "Wagon"
    SUV = "suv", "SUV"
    COUPE = "coupe", "Coupe"
    CONVERTIBLE = "convertible", "Convertible"
    PICKUP = "pickup", "Pickup"
    VAN = "van", "Van"
    OTHER = "other", "Other"


class Fuel(models.TextChoices):
    PETROL = "petrol", "Petrol"
    DIESEL = "diesel", "Diesel"
    HYBRID = "hybrid", "Hybrid"
    ELECTRIC = "electric", "Electric"
    LPG = "lpg", "LPG"
    OTHER = "other", "Other"


class Transmission(models.TextChoices):
    MANUAL = "manual", "Manual"
    AUTOMATIC = "automatic", "Automatic"


class SaleType(models.TextChoices):
    FIXED = "fixed", "Fixed price"
    NEGOTIABLE = "negotiable", "Negotiable"
    LEASE = "lease", "Lease"


class Verification(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"


class Car(models.Model):
    """A car in one store. ``owner`` is null for store inventory (the store owns it)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    store_key = models.CharField(max_length=63, blank=True, default="", db_index=True)
    make = models.CharField(max_length=64)
    model = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField()
    price = AmountField()
    mileage = models.PositiveIntegerField(default=0)
    vin = models.CharField(max_length=17)
    body_type = models.CharField(max_length=16, choices=BodyType.choices, default=BodyType.OTHER)
    fuel = models.CharField(max_length=16, choices=Fuel.choices, default=Fuel.PETROL)
    transmission = models.CharField(max_length=16, choices=Transmission.choices, default=Transmission.MANUAL)
    colour = models.CharField(max_length=32, blank=True, default="")
    sale_type = models.CharField(max_length=16, choices=SaleType.choices, default=SaleType.FIXED)
    description = models.TextField(blank=True, default="")
    location = models.CharField(max_length=128, blank=True, default="")
    is_for_sale = models.BooleanField(default=False)
    is_sold = models.BooleanField(default=False)
    verification_status = models.CharField(max_length=16, choices=Verification.choices,
                                           default=Verification.SUBMITTED)
    rejection_reason = models.TextField(blank=True, default="")
    featured_until = models.DateTimeField(null=True, blank=True)
    # Where a car bought out of another store came from (its images still live under that store's path).
    origin_store_key = models.CharField(max_length=63, blank=True, default="")
    origin_car_id = models.BigIntegerField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["description", "updated_at"])

    class Meta:
        ordering = ["-id"]
        permissions = [("verify_car", "Can verify or reject cars (platform staff)")]
        constraints = [
            # Unique per store among live cars; a store car sold out of the store is an archive row.
            models.UniqueConstraint(fields=["store_key", "vin"], name="car_listing_car_vin_live_uniq",
                                    condition=Q(deleted_at__isnull=True) & (Q(store_key="") | Q(is_sold=False))),
            models.CheckConstraint(condition=Q(price__gt=0), name="car_listing_car_price_positive"),
            models.CheckConstraint(condition=~Q(is_for_sale=True, is_sold=True), name="car_listing_car_sale_state"),
        ]

    def __str__(self):
        return f"{self.year} {self.make} {self.model} ({self.vin})"

    @property
    def is_store_car(self) -> bool:
        return bool(self.store_key)


def car_image_upload_to(instance, filename):
    # The store key is in the path, so a plain storage URL stays valid after the car moves stores.
    ext = os.path.splitext(filename)[1].lower() or ".jpg"
    store = instance.car.store_key or "_public"
    return f"car_listing/{store}/{uuid.uuid4().hex}{ext}"


class CarImage(models.Model):
    car = models.ForeignKey(Car, on_delete=models.CASCADE, related_name="images")
    # No width_field/height_field: those re-open the file on every load; the service records the size.
    image = models.ImageField(upload_to=car_image_upload_to, max_length=255)
    thumbnail = models.ImageField(upload_to=car_image_upload_to, max_length=255, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return f"image {self.pk} of car {self.car_id}"


class OwnershipRecord(models.Model):
    """Append-only ownership history of a car in its store (public cars change hands)."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        PURCHASE = "purchase", "Purchase"
        STORE_PURCHASE = "store_purchase", "Bought from a store"

    car = models.ForeignKey(Car, on_delete=models.CASCADE, related_name="ownership_records")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    previous_owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    price = AmountField(null=True, blank=True)
    from_store_key = models.CharField(max_length=63, blank=True, default="")
    from_car_id = models.BigIntegerField(null=True, blank=True)
    wallet_transaction_id = models.UUIDField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "idempotency_key"], name="car_listing_purchase_idem_uniq",
                                    condition=Q(idempotency_key__isnull=False)),
        ]

    def __str__(self):
        return f"{self.kind} of car {self.car_id} by {self.owner_id}"


class StoreSale(models.Model):
    """A store car sold to a user through the platform: kept in the store for leads and reports."""

    car = models.OneToOneField(Car, on_delete=models.PROTECT, related_name="store_sale")
    store_key = models.CharField(max_length=63)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    price = AmountField()
    public_car_id = models.BigIntegerField()
    wallet_transaction_id = models.UUIDField(null=True, blank=True)
    sold_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sold_at", "-id"]

    def __str__(self):
        return f"sale of {self.store_key}/{self.car_id} to {self.buyer_id}"


class ListingIndex(models.Model):
    """Public store only: one row per live car of every store, denormalised for marketplace search."""

    store_key = models.CharField(max_length=63)
    store_name = models.CharField(max_length=128, blank=True, default="")
    car_id = models.BigIntegerField()
    owner_id = models.BigIntegerField(null=True, blank=True)
    make = models.CharField(max_length=64)
    model = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField()
    price = AmountField()
    mileage = models.PositiveIntegerField(default=0)
    body_type = models.CharField(max_length=16)
    fuel = models.CharField(max_length=16)
    transmission = models.CharField(max_length=16)
    colour = models.CharField(max_length=32, blank=True, default="")
    sale_type = models.CharField(max_length=16)
    location = models.CharField(max_length=128, blank=True, default="")
    description = models.TextField(blank=True, default="")
    thumbnail = models.CharField(max_length=255, blank=True, default="")
    verified = models.BooleanField(default=False)
    is_for_sale = models.BooleanField(default=False)
    featured_until = models.DateTimeField(null=True, blank=True)
    listed_at = models.DateTimeField(null=True, blank=True)
    search_vector = SearchVectorField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store_key", "car_id"], name="car_listing_index_car_uniq")]
        # Search indexes. All are partial on is_for_sale (the visibility both modes share) and carry
        # `verified` as an INCLUDE column rather than in the predicate: CAR_LISTING_REQUIRE_VERIFICATION is a
        # runtime setting, and an index predicate cannot follow it. Carrying the filter columns lets the
        # capped count (LIMIT cap + 1) run as an index-only scan that stops after cap + 1 entries instead of
        # building a bitmap of every match. UPPER(x) keys also INCLUDE x: PostgreSQL only plans an
        # index-only scan when the plain column is in the index. A filter + sort pair with its own index
        # reads one index range in order; other combinations fall back to the sort index and filter rows.
        indexes = [
            GinIndex(fields=["search_vector"], name="car_listing_idx_search"),
            # One per sort, id as the tie-breaker.
            models.Index(models.F("featured_until").desc(nulls_last=True), models.F("listed_at").desc(),
                         models.F("id").desc(), name="car_listing_idx_featured", include=["verified"],
                         condition=Q(is_for_sale=True)),
            models.Index(models.F("listed_at").desc(), models.F("id").desc(), name="car_listing_idx_newest",
                         include=["verified"], condition=Q(is_for_sale=True)),
            # Price ranges with any of the cheap equality/range filters count index-only.
            models.Index(fields=["price", "id"], name="car_listing_idx_price",
                         include=["verified", "year", "body_type", "fuel", "transmission"],
                         condition=Q(is_for_sale=True)),
            # make (case-insensitive) by price; make + model by price.
            models.Index(Upper("make"), "price", "id", name="car_listing_idx_make_price",
                         include=["verified", "make"], condition=Q(is_for_sale=True)),
            models.Index(Upper("make"), Upper("model"), "price", "id", name="car_listing_idx_make_model",
                         include=["verified", "make", "model"], condition=Q(is_for_sale=True)),
            # One store's listings (a dealership's host defaults to its own): featured first, newest.
            models.Index("store_key", models.F("featured_until").desc(nulls_last=True),
                         models.F("listed_at").desc(), models.F("id").desc(), name="car_listing_idx_store_featured",
                         include=["verified"], condition=Q(is_for_sale=True)),
            models.Index("store_key", models.F("listed_at").desc(), models.F("id").desc(),
                         name="car_listing_idx_store_newest", include=["verified"], condition=Q(is_for_sale=True)),
            # Body type by price (year is the usual companion filter).
            models.Index(fields=["body_type", "price", "id"], name="car_listing_idx_body_price",
                         include=["verified", "year"], condition=Q(is_for_sale=True)),
        ]

    def __str__(self):
        return f"{self.store_key or 'public'}/{self.car_id}: {self.make} {self.model}"


class SavedCar(models.Model):
    """Public store: a user's favourite, naming the car by (store_key, car_id)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    store_key = models.CharField(max_length=63, blank=True, default="")
    car_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "store_key", "car_id"], name="car_listing_saved_uniq")]

    def __str__(self):
        return f"{self.user_id} saved {self.store_key}/{self.car_id}"


class InteractionKind(models.TextChoices):
    VIEW = "view", "View"
    LIKE = "like", "Like"
    CLICK = "click", "Click"
    SAVE = "save", "Save"


class Interaction(models.Model):
    """Public store: one row per (car, kind, actor, day); the unique constraint is the dedup."""

    store_key = models.CharField(max_length=63, blank=True, default="")
    car_id = models.BigIntegerField()
    kind = models.CharField(max_length=8, choices=InteractionKind.choices)
    actor = models.CharField(max_length=80)  # "u:<user id>" or "s:<session key>"
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store_key", "car_id", "kind", "actor", "day"],
                                               name="car_listing_interaction_dedup")]

    def __str__(self):
        return f"{self.kind} {self.store_key}/{self.car_id} {self.actor} {self.day}"


class DailyCarStats(models.Model):
    """Public store: per car per day counts, rolled up as interactions are recorded."""

    store_key = models.CharField(max_length=63, blank=True, default="")
    car_id = models.BigIntegerField()
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)
    likes = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    saves = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["store_key", "car_id", "day"], name="car_listing_daily_uniq")]

    def __str__(self):
        return f"{self.store_key}/{self.car_id} {self.day}"

