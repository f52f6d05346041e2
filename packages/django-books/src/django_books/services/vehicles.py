"""Vehicle costing and vehicle sales: acquisition and reconditioning costs into inventory, and each
sale's revenue, VAT, cost of the vehicle and its invoice number, in one entry."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from ..errors import DuplicateAcquisition, InvalidAmount, VehicleAlreadySold
from ..models import ZERO, InvoiceCounter, VehicleCost, VehicleSale
from ._money import CENT, money
from .journal import credit, debit, entry_post, first_open_day
from .profile import profile_get

PAID_FROM = ("payables", "cash")  # a cost paid from the wallet is booked by its wallet transaction
PAID_INTO = ("wallet", "cash", "receivables")


def vat_split(gross: Decimal, rate: Decimal) -> tuple[Decimal, Decimal]:
    """(net, vat) of a VAT-inclusive ``gross`` at ``rate`` percent, VAT rounded half up to the cent."""
    net = (gross * 100 / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    return net, gross - net


def vehicle_cost(vehicle_id: int) -> Decimal:
    return VehicleCost.objects.filter(vehicle_id=vehicle_id).aggregate(total=Sum("amount"))["total"] or ZERO


@transaction.atomic
def vehicle_cost_add(*, vehicle_id: int, kind: str, amount, incurred_on: dt.date, description: str = "",
                     paid_from: str = "payables", created_by=None) -> VehicleCost:
    """Book a vehicle's acquisition (once) or a reconditioning cost into inventory."""
    if kind not in VehicleCost.Kind.values or paid_from not in PAID_FROM:
        raise InvalidAmount("kind must be acquisition or reconditioning, paid from payables or cash.")
    amount = money(amount)
    if VehicleSale.objects.filter(vehicle_id=vehicle_id).exists():
        raise VehicleAlreadySold()
    if kind == VehicleCost.Kind.ACQUISITION and VehicleCost.objects.filter(
            vehicle_id=vehicle_id, kind=kind).exists():
        raise DuplicateAcquisition()
    label = f"Vehicle {vehicle_id} {kind}" + (f": {description}" if description else "")
    entry, _ = entry_post(date=incurred_on, memo=label, created_by=created_by, lines=[
        debit("inventory", amount, source_type="vehicle", source_id=vehicle_id),
        credit(paid_from, amount, source_type="vehicle", source_id=vehicle_id),
    ])
    try:
        with transaction.atomic():
            return VehicleCost.objects.create(vehicle_id=vehicle_id, kind=kind, amount=amount, incurred_on=incurred_on,
                                              description=description[:255], entry=entry, created_by=created_by)
    except IntegrityError:
        raise DuplicateAcquisition() from None


def _next_invoice_number() -> int:
    """The next number, counted on one row locked until the sale commits: a sale that rolls back gives
    its number back, and concurrent sales take turns, so numbers are never reused or skipped."""
    table = InvoiceCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, last_number) VALUES (1, 1)"  # noqa: S608 - the model's own table
            f" ON CONFLICT (id) DO UPDATE SET last_number = {table}.last_number + 1 RETURNING last_number"
        )
        return cursor.fetchone()[0]


def sale_post(
    *,
    key: str,
    gross,
    sold_on: dt.date,
    description: str,
    source_type: str,
    source_id: str | int,
    vehicle_id: int | None = None,
    customer_name: str = "",
    paid_into: str = "wallet",
    payment_source: tuple[str, str | int] | None = None,
    created_by=None,
) -> tuple[VehicleSale, bool]:
    """Book a vehicle sale once per ``key``: the money received (``paid_into``; its line references
    ``payment_source``, such as the wallet transaction), revenue and VAT (referencing the sale), and
    the vehicle's booked costs moved from inventory to cost of sales; numbered invoice included."""
    if paid_into not in PAID_INTO:
        raise InvalidAmount("paid_into must be wallet, cash or receivables.")
    gross = money(gross)
    if (existing := VehicleSale.objects.filter(key=key).first()) is not None:
        return existing, False
    with transaction.atomic():
        number = _next_invoice_number()
        # The counter row serialises sales: a concurrent sale of the same key has committed by now.
        if (existing := VehicleSale.objects.filter(key=key).first()) is not None:
            transaction.set_rollback(True)  # give the number back
            return existing, False
        profile = profile_get()
        rate = profile.effective_vat_rate
        net, vat = vat_split(gross, rate)
        cost = vehicle_cost(vehicle_id) if vehicle_id is not None else ZERO
        sale_ref = {"source_type": source_type, "source_id": source_id}
        pay_type, pay_id = payment_source or (source_type, source_id)
        vehicle_ref = {"source_type": "vehicle", "source_id": vehicle_id or ""}
        entry, _ = entry_post(date=first_open_day(sold_on), key=key, created_by=created_by,
                              memo=f"Invoice {number}: {description}"[:255], lines=[
            debit(paid_into, gross, source_type=pay_type, source_id=pay_id),
            credit("vehicle_sales", net, **sale_ref),
            credit("vat_payable", vat, **sale_ref),
            debit("cost_of_vehicles", cost, **vehicle_ref),
            credit("inventory", cost, **vehicle_ref),
        ])
        sale = VehicleSale.objects.create(
            key=key, invoice_number=number, vehicle_id=vehicle_id, description=description[:255],
            customer_name=customer_name[:200], sold_on=sold_on, gross=gross, net=net, vat=vat, vat_rate=rate,
            cost=cost, seller_name=profile.legal_name, seller_address=profile.address,
            seller_vat_number=profile.vat_number, entry=entry,
        )
    return sale, True
