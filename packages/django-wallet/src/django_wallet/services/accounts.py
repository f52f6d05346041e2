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


def account_with_system_account(owner, *, purpose: str = "main", name: str) -> tuple[Account, Account]:
    """``(account_for(owner, purpose=purpose), system_account(name))`` in one query when both exist."""
    owner_type = ContentType.objects.get_for_model(owner)
    lookup = {"owner_type": owner_type, "owner_id": str(owner.pk), "purpose": purpose}
    # Raw: a charge sale reads these on every request, and the ORM took longer to compile the OR than the
    # database took to answer it.
    found = {bool(a.name): a for a in Account.objects.raw(
        f"SELECT * FROM {Account._meta.db_table} WHERE (owner_type_id = %s AND owner_id = %s AND purpose = %s)"  # noqa: S608
        " OR (owner_type_id IS NULL AND name = %s)", [owner_type.pk, lookup["owner_id"], purpose, name])}
    return (found.get(False) or _get_or_create(lookup, {}),
            found.get(True) or _get_or_create({"name": name}, {"allow_overdraft": True}))


def accounts_for(owners, *, purpose: str = "main") -> dict:
    """``{owner.pk: account}`` for saved instances of one model, the missing accounts created (one query
    when all exist; a racing creator's row wins as in ``account_for``)."""
    owners = list(owners)
    if not owners:
        return {}
    owner_type = ContentType.objects.get_for_model(owners[0])
    wanted = {str(o.pk): o.pk for o in owners}

    def existing() -> dict:
        return {wanted[a.owner_id]: a for a in Account.objects.filter(
            owner_type=owner_type, owner_id__in=list(wanted), purpose=purpose)}

    found = existing()
    missing = [key for key, pk in wanted.items() if pk not in found]
    if missing:
        Account.objects.bulk_create([Account(owner_type=owner_type, owner_id=key, purpose=purpose) for key in missing],
                                    ignore_conflicts=True)
        found = existing()
    return found


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
