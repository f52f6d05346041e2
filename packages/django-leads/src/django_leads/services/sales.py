"""Closing a lead as won: the Sale, the platform purchase, the commission."""
import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from forecourt_core.amounts import validate_amount
from forecourt_core.signals import send_on_commit

from ..errors import CarAlreadySold, PlatformPaymentNeedsBuyer, PriceMismatch, SaleDetailsRequired
from ..models import Lead, LeadStatus, Sale
from ..pipeline import check_transition
from ..signals import sale_closed
from .commissions import commission_accrue
from .events import record_sale_closed
from .leads import apply_status


@transaction.atomic
def lead_win(*, lead: Lead, by=None, payment: str, agreed_price: Decimal | None = None,
             sold_on: datetime.date | None = None, idempotency_key: str | None = None) -> Sale:
    """Mark ``lead`` won: record the Sale, buy the car through car-listing for platform payment,
    accrue the agent's commission. All in one transaction.

    Offline payment needs ``agreed_price``; platform payment charges the car's listed price
    (``agreed_price``, if given, must equal it).

    The car is claimed by inserting the Sale first (``car_key`` is UNIQUE): a second lead won for
    the same car, even at the same moment, fails on that index and gets 409 ``car_already_sold``
    before any money moves.

    A platform win repeated with the key of the purchase that won it (a retry, or the same request twice at
    once: the lead's row lock orders them) returns that Sale and moves nothing; any other key gets 409.
    """
    if payment not in Sale.Payment.values:
        raise SaleDetailsRequired()
    price = validate_amount(agreed_price) if agreed_price is not None else None
    locked = Lead.objects.select_for_update(of=("self",)).select_related("car", "buyer").get(pk=lead.pk)
    if payment == Sale.Payment.PLATFORM and idempotency_key and locked.status == LeadStatus.WON:
        replayed = _won_with_key(locked, idempotency_key)
        if replayed is not None:
            return replayed
    check_transition(current=locked.status, target=LeadStatus.WON, user=by)
    car = locked.car
    if car is None or car.is_sold or car.deleted_at is not None:
        raise CarAlreadySold()
    price = _sale_price(locked, payment=payment, price=price)
    sale = _sale_claim(locked, payment=payment, price=price, sold_on=sold_on)
    _sale_pay(sale, by=by, idempotency_key=idempotency_key)
    apply_status(locked, status=LeadStatus.WON, by=by)
    commission_accrue(sale=sale)
    send_on_commit(sale_closed, sender=Sale, sale=sale)
    record_sale_closed(sale=sale)
    return sale


def _sale_price(lead: Lead, *, payment: str, price: Decimal | None) -> Decimal:
    """What the sale is for: the agreed price offline; the listed price on the platform."""
    if payment == Sale.Payment.OFFLINE:
        if price is None:
            raise SaleDetailsRequired()
        return price
    if lead.buyer_id is None:
        raise PlatformPaymentNeedsBuyer()
    # car-listing charges the listed price: a different agreed price can't be paid this way.
    if price is not None and price != lead.car.price:
        raise PriceMismatch()
    return lead.car.price


def _sale_claim(lead: Lead, *, payment: str, price: Decimal, sold_on: datetime.date | None) -> Sale:
    """Insert the Sale, claiming the car (``car_key`` is UNIQUE: a second win for it is refused)."""
    car = lead.car
    buyer_name = lead.contact_name or (lead.buyer.get_username() if lead.buyer_id else "")
    try:
        with transaction.atomic():
            return Sale.objects.create(
                lead=lead, car=car, car_key=car.pk, buyer_id=lead.buyer_id, buyer_name=buyer_name,
                agent_id=lead.agent_id, agreed_price=price, payment=payment,
                sold_on=sold_on or timezone.localdate(),
            )
    except IntegrityError as exc:
        raise CarAlreadySold() from exc


def _sale_pay(sale: Sale, *, by, idempotency_key: str | None) -> None:
    """Offline: take the car off the marketplace; platform: buy it through car-listing for the buyer."""
    from django_car_listing import services as cars

    car = sale.car
    if sale.payment == Sale.Payment.OFFLINE:
        # Paid outside the platform: the car leaves the marketplace now, so nobody can buy it too.
        cars.car_mark_sold(store_key=car.store_key, car_id=car.pk, actor=by)
        return
    # (store, car) is sold at most once, so this key names this purchase across all schemas.
    record = cars.car_buy(buyer=sale.lead.buyer, store_key=car.store_key, car_id=car.pk,
                          idempotency_key=idempotency_key or f"leads.sale:{car.store_key}:{car.pk}")
    sale.purchase_ref = str(record.pk)
    if record.price is not None:
        sale.agreed_price = record.price  # what was actually charged
    sale.save(update_fields=["purchase_ref", "agreed_price"])


def _won_with_key(lead: Lead, idempotency_key: str) -> Sale | None:
    """The lead's platform Sale when its purchase was made with ``idempotency_key``, else None."""
    from django_car_listing import selectors as cars

    sale = Sale.objects.filter(lead=lead, payment=Sale.Payment.PLATFORM).exclude(purchase_ref="").first()
    if sale is None or lead.buyer is None:
        return None
    purchase = cars.purchase_by_key(buyer=lead.buyer, idempotency_key=idempotency_key)
    return sale if purchase is not None and str(purchase.pk) == sale.purchase_ref else None
