"""The dealership's automatic accounting entries, booked on commit and made durable by a sweep.

A dealer car sold on the platform and a CRM sale paid offline are income; a commission paid by
django-leads is an expense. demo/glue/wiring.py books each one when its transaction commits (the fast
path). A process that died between that commit and the receiver would leave it out of the books
for good, so ``reconcile_all`` (Celery beat, ``books.reconcile``) books in every dealership whatever
the last ``BOOKS_RECONCILE_DAYS`` hold without its entry, as the seller e-mail's relay does for
its outbox. Both paths go through django-payroll's keyed services: an entry exists once, whoever
books it first.
"""
import datetime as dt
import logging

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from django_payroll import services as accounting
from django_payroll.models import Entry

logger = logging.getLogger(__name__)


def book_car_sale(sale) -> None:
    """Income from a dealer car sold on the platform (car-listing's StoreSale, in the store's schema)."""
    accounting.entry_record_car_sale(sale_id=f"car:{sale.pk}", amount=sale.price, booked_on=sale.sold_at.date(),
                                     description=f"Car sale #{sale.pk}")


def book_offline_sale(sale) -> None:
    """Income from a CRM sale paid outside the platform, on the day it was sold."""
    accounting.entry_record_car_sale(sale_id=f"lead:{sale.pk}", amount=sale.agreed_price, booked_on=sale.sold_on,
                                     description=f"Offline sale, lead #{sale.lead_id}")


def book_commission(commission) -> None:
    """Expense for a commission django-leads paid from the dealership's wallet."""
    accounting.entry_record_commission(commission_id=str(commission.uuid), amount=commission.amount,
                                       booked_on=(commission.paid_at or timezone.now()).date())


def _unbooked(source_type: str, source_id):
    return ~Exists(Entry.objects.filter(source_type=source_type, source_id=source_id))


def reconcile(*, since: dt.datetime, until: dt.datetime) -> int:
    """Book, in the current dealership's schema, every sale and paid commission from ``since`` to
    ``until`` that has no entry yet; the number booked."""
    from django_car_listing.models import StoreSale
    from django_leads.models import Commission
    from django_leads.models import Sale as LeadSale

    def as_text(field: str):
        return Cast(OuterRef(field), CharField())

    sweeps = [
        (book_car_sale, StoreSale.objects.filter(_unbooked("car_sale", Concat(Value("car:"), as_text("pk"))),
                                                 sold_at__range=(since, until))),
        (book_offline_sale, LeadSale.objects.filter(_unbooked("car_sale", Concat(Value("lead:"), as_text("pk"))),
                                                    payment=LeadSale.Payment.OFFLINE,
                                                    created_at__range=(since, until))),
        (book_commission, Commission.objects.filter(_unbooked("commission", as_text("uuid")),
                                                    status=Commission.Status.PAID, paid_at__range=(since, until))),
    ]
    booked = 0
    for book, rows in sweeps:
        for row in rows:
            book(row)
            booked += 1
    return booked


def reconcile_all(*, days: int | None = None) -> dict[str, int]:
    """``reconcile`` in every dealership over the last ``days`` (BOOKS_RECONCILE_DAYS): what it booked
    where, dealerships with nothing missing left out. The last BOOKS_RECONCILE_GRACE_SECONDS are left
    to the receivers, which may still be running for a commit of a moment ago."""
    from tenancy.models import Dealership

    now = timezone.now()
    since = now - dt.timedelta(days=days if days is not None else settings.BOOKS_RECONCILE_DAYS)
    until = now - dt.timedelta(seconds=settings.BOOKS_RECONCILE_GRACE_SECONDS)
    booked = {}
    for schema_name in Dealership.objects.exclude(schema_name=get_public_schema_name()).values_list(
            "schema_name", flat=True).order_by("schema_name"):
        with schema_context(schema_name):
            if n := reconcile(since=since, until=until):
                booked[schema_name] = n
    if booked:  # the fast path lost these (a crash between a commit and its receiver)
        logger.warning("books.reconcile booked entries the on-commit receivers had not: %s", booked)
    return booked
