"""Accounts: opened explicitly or on first use, race-safe; frozen or unfrozen under a row lock."""

from __future__ import annotations

from functools import cache

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection
from django.db import transaction as db_transaction

from forecourt_core.rows import columns, instances

from .. import conf
from ..models import Account


@cache
def _names() -> dict[str, str]:
    """Account's table and the columns the reads filter on, quoted (once per process)."""
    quote, meta = connection.ops.quote_name, Account._meta
    return {"table": quote(meta.db_table),
            **{name: quote(meta.get_field(name).column) for name in ("owner_type", "owner_id", "purpose", "name")}}


def _read(where: str, params: list) -> list[Account]:
    # One raw SELECT: every money request reads its accounts here (why not the ORM: docs/performance.md,
    # "Account reads are one raw statement each"), its rows built without a RawQuerySet.
    return instances(Account, f"SELECT {columns(Account)} FROM {_names()['table']} WHERE {where}",  # noqa: S608
                     params)


def _get_or_create(lookup: dict, defaults: dict, found: Account | None) -> Account:
    # Race-safe: the unique constraints decide, the loser reads the winner's row.
    if found is not None:
        return found
    try:
        with db_transaction.atomic():
            return Account.objects.create(**lookup, **defaults)
    except IntegrityError:
        return Account.objects.get(**lookup)


def _owned_where(owner_type: ContentType, owner_id: str, params: list, purpose: str) -> tuple[str, list]:
    """The WHERE clause (with parameters) of the account for ``purpose`` of the owner of ``owner_type``
    whose id is the SQL ``owner_id`` (taking ``params``): the one way an owner's account is found."""
    names = _names()
    return (f"({names['owner_type']} = %s AND {names['owner_id']} = {owner_id} AND {names['purpose']} = %s)",
            [owner_type.pk, *params, purpose])


def _owned(owner, purpose: str) -> tuple[dict, str, list]:
    """The lookup of ``owner``'s account for ``purpose``, and its WHERE clause with parameters."""
    owner_type = ContentType.objects.get_for_model(owner)
    lookup = {"owner_type": owner_type, "owner_id": str(owner.pk), "purpose": purpose}
    return lookup, *_owned_where(owner_type, "%s", [str(owner.pk)], purpose)


def _named(name: str) -> tuple[dict, str, list]:
    """The lookup of the system account ``name``, and its WHERE clause with parameters."""
    names = _names()
    return {"name": name}, f"({names['owner_type']} IS NULL AND {names['name']} = %s)", [name]


SYSTEM_DEFAULTS = {"allow_overdraft": True}  # system accounts may overdraw


def account_for(owner, *, purpose: str = "main") -> Account:
    """The account of ``owner`` (any saved model instance) for ``purpose``, created on first use."""
    lookup, where, params = _owned(owner, purpose)
    return _get_or_create(lookup, {}, next(iter(_read(where, params)), None))


def _owner_by_where(model, purpose: str, unique: dict) -> tuple[str, list]:
    """The WHERE clause (with parameters) of the account for ``purpose`` of the ``model`` instance whose
    unique field has the given value (``{"schema_name": "x"}``), the owner looked up in the same statement."""
    ((name, value),) = unique.items()
    return _owned_where(ContentType.objects.get_for_model(model), _owner_id_by(model, name), [value], purpose)


@cache
def _owner_id_by(model, name: str) -> str:
    """The SQL of the id, as text, of the ``model`` instance whose unique field ``name`` is the parameter."""
    field = model._meta.get_field(name)
    if not (field.unique or field.primary_key):
        raise ValueError(f"{model.__name__}.{name} is not unique")
    quote, meta = connection.ops.quote_name, model._meta
    return f"(SELECT {quote(meta.pk.column)}::text FROM {quote(meta.db_table)} WHERE {quote(field.column)} = %s)"  # noqa: S608


def account_for_owner_by(model, *, purpose: str = "main", **unique) -> Account:
    """``account_for`` the ``model`` instance whose unique field has the given value (``schema_name="x"``),
    in one read that looks the owner up in the same statement, without loading it; the owner is read
    (``model.DoesNotExist`` if there is none) only to open its account on first use."""
    found = _read(*_owner_by_where(model, purpose, unique))
    return found[0] if found else account_for(model._default_manager.get(**unique), purpose=purpose)


def _with_own(owner, purpose: str, where: str, params: list) -> tuple[dict, Account | None, Account | None]:
    """``owner``'s account lookup, then its account and the other account ``where`` names, read in one
    statement (None where missing; the other is None too when it is the owner's own)."""
    lookup, own_where, own_params = _owned(owner, purpose)
    found = _read(f"{own_where} OR {where}", [*own_params, *params])
    mine = (lookup["owner_type"].pk, lookup["owner_id"])
    own = next((a for a in found if (a.owner_type_id, a.owner_id) == mine), None)
    return lookup, own, next((a for a in found if a is not own), None)


def account_for_with_owner_by(owner, model, *, purpose: str = "main", **unique) -> tuple[Account, Account]:
    """``(account_for(owner), account_for_owner_by(model, **unique))`` in one read when both exist (a buyer's
    account and a seller's found by a unique field: both accounts of a payment); each missing one is
    opened as those do."""
    lookup, own, other = _with_own(owner, purpose, *_owner_by_where(model, purpose, unique))
    if other is None:  # missing, or the same owner's: its own look-up opens or finds it
        other = account_for_owner_by(model, purpose=purpose, **unique)
    return _get_or_create(lookup, {}, own), other


def account_with_system_account(owner, *, purpose: str = "main", name: str) -> tuple[Account, Account]:
    """``(account_for(owner, purpose=purpose), system_account(name))`` in one query when both exist."""
    system_lookup, system_where, system_params = _named(name)
    lookup, own, system = _with_own(owner, purpose, system_where, system_params)
    return _get_or_create(lookup, {}, own), _get_or_create(system_lookup, SYSTEM_DEFAULTS, system)


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
    lookup, where, params = _named(name)
    return _get_or_create(lookup, SYSTEM_DEFAULTS, next(iter(_read(where, params)), None))


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
        # NO KEY UPDATE, as every lock of an account: the status is no key.
        locked = Account.objects.select_for_update(no_key=True).get(pk=account.pk)
        locked.status = status
        locked.save(update_fields=["status"])
    return locked


def resolve_account(account: Account | str) -> Account:
    """``account`` itself, or the system account of that name."""
    return system_account(account) if isinstance(account, str) else account
