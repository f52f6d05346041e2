"""The business's VAT rate and invoice details (one row, created on first use)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from .. import conf
from ..errors import InvalidVatRate
from ..models import BooksProfile

EDITABLE = ("legal_name", "address", "vat_number", "vat_rate", "vat_exempt")


def profile_get() -> BooksProfile:
    profile = BooksProfile.objects.filter(pk=1).first()
    if profile is None:
        defaults = {"vat_rate": conf.default_vat_rate(), **conf.profile_defaults()}
        profile, _ = BooksProfile.objects.get_or_create(pk=1, defaults=defaults)
    return profile


def _vat_rate(value) -> Decimal:
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidVatRate() from None
    if not rate.is_finite() or rate < 0 or rate >= 100 or rate.as_tuple().exponent < -2:
        raise InvalidVatRate()
    return rate


@transaction.atomic
def profile_update(**fields) -> BooksProfile:
    """Change the VAT rate or exemption and the invoice details; sales already invoiced keep theirs."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    profile_get()
    profile = BooksProfile.objects.select_for_update().get(pk=1)
    if "vat_rate" in fields:
        fields["vat_rate"] = _vat_rate(fields["vat_rate"])
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    return profile
