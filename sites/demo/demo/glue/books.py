"""A dealership's automatic postings into its books (django-books), each booked once.

What is posted, each through a keyed service of django-books, so it exists once whoever posts it and
however often:
- a dealer car sold on the platform (car-listing's StoreSale): revenue, VAT, the car's cost, paid into
  the wallet by the purchase's wallet transaction; a CRM sale paid offline: the same, paid in cash;
- each commission when accrued (with its sale) and when paid from the dealership's wallet;
- every other wallet transaction of the dealership's account (top-ups, withdrawals, fees, transfers).
A paid payroll run is posted by django-payroll's run_pay itself, in the transaction that pays it.

demo/glue/wiring.py posts each one from the domain event its change recorded (forecourt_core.events,
relayed once per event). A posting the books refuse (say the accountant had taken away an account's
role) is logged and undone without holding up the event's notifications (``posting``);
``reconcile_all`` (the ``books.reconcile`` task of django-books, on Celery beat) then posts in every
dealership whatever the last ``BOOKS_RECONCILE_DAYS`` hold without its entry.
"""
import datetime as dt
import logging
from contextlib import contextmanager

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction as db_transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_books import services as books
from django_books.models import JournalEntry
from django_tenants.utils import get_public_schema_name, schema_context

from demo.glue.hooks import current_business_account
from django_car_listing.models import StoreSale
from django_leads.models import Commission
from django_leads.models import Sale as LeadSale
from django_wallet.models import Entry as WalletEntry
from django_wallet.models import Transaction
from forecourt_core.errors import DomainError
from tenancy.models import Dealership

logger = logging.getLogger(__name__)

# Wallet transactions of these kinds are booked by the business posting that caused them (a paid payroll
# run by django-payroll's run_pay itself, in the transaction that pays it).
BOOKED_BY_THEIR_CAUSE = frozenset({"car_purchase", "commission", "payroll"})


# The wallet records wallet.transaction_posted for the accounts of this model (WALLET_TRANSACTION_EVENT_OWNERS).
DEALERSHIP_LABEL = "tenancy.Dealership"


def _day(moment: dt.datetime | str) -> dt.date:
    return timezone.localdate(parse_datetime(moment) if isinstance(moment, str) else moment)


@contextmanager
def posting(event):
    """An event handler's posting, in a savepoint: a refusal of the books (say the accountant took an
    account's role away, ``account_missing``) is logged and undone, and the event's other handlers
    (its notifications) go on; ``books.reconcile`` posts it once the books accept it."""
    try:
        with db_transaction.atomic():
            yield
    except DomainError as refusal:
        logger.warning("books: %s %s not posted (%s: %s); books.reconcile posts it once the books accept it",
                       event.kind, event.id, refusal.code, refusal)


def store_sale(pk: int) -> StoreSale:
    return StoreSale.objects.select_related("car", "buyer").get(pk=pk)


def lead_sale(pk: int) -> LeadSale:
    return LeadSale.objects.select_related("car").get(pk=pk)


def commission(uuid: str) -> Commission:
    return Commission.objects.get(uuid=uuid)


def book_car_sale(sale) -> None:
    """A dealer car sold on the platform (car-listing's StoreSale, in the store's schema)."""
    car = sale.car
    payment = ("wallet_transaction", str(sale.wallet_transaction_id)) if sale.wallet_transaction_id else None
    books.sale_post(key=f"car-sale:{sale.pk}", gross=sale.price, sold_on=_day(sale.sold_at),
                    description=f"{car.year} {car.make} {car.model}, VIN {car.vin}", source_type="car_sale",
                    source_id=sale.pk, vehicle_id=car.pk, customer_name=sale.buyer.get_username(),
                    paid_into="wallet", payment_source=payment)


def book_offline_sale(sale) -> None:
    """A CRM sale paid outside the platform, on the day it was sold."""
    car = sale.car
    label = f"{car.year} {car.make} {car.model}, VIN {car.vin}" if car else f"Vehicle {sale.car_key}"
    books.sale_post(key=f"lead-sale:{sale.pk}", gross=sale.agreed_price, sold_on=sale.sold_on,
                    description=f"{label} (lead #{sale.lead_id})", source_type="lead_sale", source_id=sale.pk,
                    vehicle_id=sale.car_id, customer_name=sale.buyer_name, paid_into="cash")


def book_commission_accrued(commission) -> None:
    books.commission_accrued(commission_id=str(commission.uuid), amount=commission.amount,
                             date=_day(commission.accrued_at),
                             memo=f"Commission on sale #{commission.sale_id} accrued")


def book_commission_paid(commission) -> None:
    books.commission_paid(commission_id=str(commission.uuid), amount=commission.amount,
                          date=_day(commission.paid_at), accrued_on=_day(commission.accrued_at),
                          wallet_transaction_id=str(commission.wallet_transaction_id),
                          memo=f"Commission on sale #{commission.sale_id} paid")


def book_wallet_transaction(transaction) -> None:
    """Post a wallet transaction into the books of each dealership whose account it moved (the sweep)."""
    dealership_type = ContentType.objects.get_for_model(Dealership)
    movements = [(e.account.owner_id, e.amount) for e in WalletEntry.objects.filter(
        transaction=transaction, account__owner_type=dealership_type).select_related("account")]
    book_wallet_movements(transaction_id=str(transaction.pk), kind=transaction.kind, memo=transaction.memo,
                          created_at=transaction.created_at, movements=movements)


def book_wallet_movements(*, transaction_id: str, kind: str, memo: str, created_at, movements) -> None:
    """Post a wallet transaction's ``movements`` ((dealership id, signed amount), ...) into each
    dealership's books, unless a business posting books it (a sale, a commission, a payroll run)."""
    if kind in BOOKED_BY_THEIR_CAUSE or not movements:
        return
    schemas = dict(Dealership.objects.filter(pk__in=[int(owner) for owner, _ in movements]).values_list(
        "pk", "schema_name"))
    for owner, amount in movements:
        if int(owner) not in schemas:
            continue
        with schema_context(schemas[int(owner)]):
            books.wallet_movement(wallet_transaction_id=str(transaction_id), amount=amount, date=_day(created_at),
                                  kind=kind, memo=memo or f"Wallet {kind}")


def _keyed(prefix: str, field: str):
    """Rows whose entry ``<prefix><field>`` is not in the books yet."""
    key = Concat(Value(prefix), Cast(OuterRef(field), CharField()))
    return ~Exists(JournalEntry.objects.filter(key=key))


def _not_in_books(prefix: str, rows) -> list:
    """Shared rows (the wallet's, in public) whose entry ``<prefix><pk>`` is not in the books yet.

    Two queries, not one subquery: on a Citus cluster the public tables stay on the coordinator and the
    dealership's books are on its worker, and one query cannot correlate the two (docs/scaling.md).
    """
    rows = list(rows)
    keys = {row.pk: f"{prefix}{row.pk}" for row in rows}
    booked = set(JournalEntry.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    return [row for row in rows if keys[row.pk] not in booked]


def reconcile(*, since: dt.datetime, until: dt.datetime) -> int:
    """Post, in the current dealership's schema, everything from ``since`` to ``until`` that has no
    entry yet; the number posted."""
    sweeps = [
        (book_car_sale, StoreSale.objects.filter(_keyed("car-sale:", "pk"), sold_at__range=(since, until))),
        (book_offline_sale, LeadSale.objects.filter(_keyed("lead-sale:", "pk"), payment=LeadSale.Payment.OFFLINE,
                                                    created_at__range=(since, until))),
        (book_commission_accrued, Commission.objects.filter(_keyed("commission-accrued:", "uuid"),
                                                            accrued_at__range=(since, until))),
        (book_commission_paid, Commission.objects.filter(_keyed("commission-paid:", "uuid"),
                                                         status=Commission.Status.PAID,
                                                         paid_at__range=(since, until))),
        (book_wallet_transaction, _not_in_books("wallet:", Transaction.objects.filter(
            entries__account=current_business_account(), created_at__range=(since, until),
        ).exclude(kind__in=BOOKED_BY_THEIR_CAUSE).order_by("created_at"))),
    ]
    booked = 0
    for book, rows in sweeps:
        for row in rows:
            book(row)
            booked += 1
    return booked


def reconcile_all(*, days: int | None = None) -> dict[str, int]:
    """``reconcile`` in every dealership over the last ``days`` (BOOKS_RECONCILE_DAYS): what it posted
    where, dealerships with nothing missing left out. The last BOOKS_RECONCILE_GRACE_SECONDS are left
    to the event relay, which may still be delivering a commit of a moment ago."""
    now = timezone.now()
    since = now - dt.timedelta(days=days if days is not None else settings.BOOKS_RECONCILE_DAYS)
    until = now - dt.timedelta(seconds=settings.BOOKS_RECONCILE_GRACE_SECONDS)
    booked = {}
    for schema_name in Dealership.objects.exclude(schema_name=get_public_schema_name()).values_list(
            "schema_name", flat=True).order_by("schema_name"):
        with schema_context(schema_name):
            if n := reconcile(since=since, until=until):
                booked[schema_name] = n
    if booked:  # their events failed for good (see the outbox's failed events)
        logger.warning("books.reconcile posted entries the event handlers had not: %s", booked)
    return booked
