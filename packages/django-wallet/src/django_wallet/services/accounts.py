"""Accounts: opened explicitly or on first use, race-safe; frozen or unfrozen under a row lock."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError
from django.db import transaction as db_transaction

from .. import conf
from ..models import Account


def _get_or_create(lookup: dict, defaults: dict) -> Account:
    # Race-safe: the unique constraints decide, the loser reads the winner's row.
    account = Account.objects.filter(**lookup).first()
    if account is not None:
        return account
    try:
        with db_transaction.atomic():
            return Account.objects.create(**lookup, **defaults)
    except IntegrityError:
        return Account.objects.get(**lookup)


def account_for(owner, *, purpose: str = "main") -> Account:
    """The account of ``owner`` (any saved model instance) for ``purpose``, created on first use."""
    owner_type = ContentType.objects.get_for_model(owner)
    return _get_or_create({"owner_type": owner_type, "owner_id": str(owner.pk), "purpose": purpose}, {})


def system_account(name: str) -> Account:
    """A named system account ("platform", "topups", "fees", ...); system accounts may overdraw."""
    return _get_or_create({"name": name}, {"allow_overdraft": True})


def open_account(
    *, owner=None, name: str = "", purpose: str = "main", allow_overdraft: bool = False, currency: str | None = None
) -> Account:
    """Create an account (raises IntegrityError if that owner/purpose or name already exists)."""
    fields = {
        "purpose": purpose,
        "allow_overdraft": allow_overdraft,
        "currency": currency or conf.get("WALLET_CURRENCY"),
    }
    if owner is not None:
        fields.update(owner_type=ContentType.objects.get_for_model(owner), owner_id=str(owner.pk))
    else:
        fields["name"] = name
    with db_transaction.atomic():
        return Account.objects.create(**fields)


def account_set_status(*, account: Account, status: str) -> Account:
    """Freeze (no money in or out) or unfreeze an account."""
    if status not in Account.Status.values:
        raise ValueError(f"unknown status {status!r}")
    with db_transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        locked.status = status
        locked.save(update_fields=["status"])
    return locked


def resolve_account(account: Account | str) -> Account:
    """``account`` itself, or the system account of that name."""
    return system_account(account) if isinstance(account, str) else account
