"""Income and expense entries: manual (accountants) and automatic (linked to their source, once)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction

from ..errors import CategoryMismatch
from ..models import Category, Entry
from ._money import money

# Categories the automatic entries book into; created on first use, renameable by accountants.
DEFAULT_CATEGORIES = {
    "car_sales": ("Car sales", Category.Kind.INCOME),
    "commissions": ("Commissions", Category.Kind.EXPENSE),
    "payroll": ("Payroll", Category.Kind.EXPENSE),
}


def category_ensure(*, code: str, name: str = "", kind: str = "") -> Category:
    """Get or create a category by code (defaults for the built-in codes)."""
    default_name, default_kind = DEFAULT_CATEGORIES.get(code, (code.replace("_", " ").capitalize(), ""))
    kind = kind or default_kind
    if kind not in Category.Kind.values:
        raise CategoryMismatch()
    category, _ = Category.objects.get_or_create(code=code, defaults={"name": name or default_name, "kind": kind})
    if category.kind != kind:
        raise CategoryMismatch()
    return category


@transaction.atomic
def entry_create(
    *, category: Category, amount: Decimal, booked_on: dt.date, description: str = "", created_by=None
) -> Entry:
    """A manual entry by an accountant; its kind is the category's kind."""
    return Entry.objects.create(
        category=category,
        kind=category.kind,
        amount=money(amount),
        booked_on=booked_on,
        description=description,
        created_by=created_by,
    )


def entry_record_automatic(
    *,
    source_type: str,
    source_id: str | int,
    category_code: str,
    amount: Decimal,
    booked_on: dt.date,
    description: str = "",
    kind: str = "",
) -> tuple[Entry, bool]:
    """Book an entry for ``(source_type, source_id)`` once; a repeat returns the first (created=False).

    Safe under concurrency: the DB unique constraint decides, the loser reads the winner's row.
    """
    if not source_type:
        raise ValueError("source_type is required for automatic entries")
    amount = money(amount)
    key = {"source_type": source_type, "source_id": str(source_id)}
    existing = Entry.objects.filter(**key).first()
    if existing:
        return existing, False
    category = category_ensure(code=category_code, kind=kind)
    try:
        with transaction.atomic():
            return Entry.objects.create(
                category=category, kind=category.kind, amount=amount, booked_on=booked_on,
                description=description, **key,
            ), True
    except IntegrityError:
        return Entry.objects.get(**key), False


def entry_record_car_sale(
    *, sale_id: str | int, amount: Decimal, booked_on: dt.date, description: str = ""
) -> tuple[Entry, bool]:
    """Income from a car sale; call it from the site's receiver of the car-listing sale signal."""
    return entry_record_automatic(
        source_type="car_sale", source_id=sale_id, category_code="car_sales", amount=amount,
        booked_on=booked_on, description=description or f"Car sale {sale_id}",
    )


def entry_record_commission(
    *, commission_id: str | int, amount: Decimal, booked_on: dt.date, description: str = ""
) -> tuple[Entry, bool]:
    """Expense for a commission settled outside payroll (e.g. a broker paid at sale by django-leads).

    Commissions paid through payslips are already inside the payroll expense: don't book them twice.
    """
    return entry_record_automatic(
        source_type="commission", source_id=commission_id, category_code="commissions", amount=amount,
        booked_on=booked_on, description=description or f"Commission {commission_id}",
    )
