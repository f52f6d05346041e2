"""Reads of the wallet."""

from __future__ import annotations

import functools
from datetime import date, datetime, time
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from .models import Account, ChargeSale, CreditRequest, Entry, Hold, Transaction


def balance(account: Account) -> Decimal:
    """The account's ledger balance (the stored cache, read fresh from the database)."""
    return Account.objects.values_list("balance", flat=True).get(pk=account.pk)


def held_balance(account: Account) -> Decimal:
    """Sum of the account's active, unexpired holds."""
    now = timezone.now()
    total = (
        Hold.objects.filter(account_id=account.pk, status=Hold.Status.ACTIVE)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .aggregate(t=Sum("amount"))["t"]
    )
    return total or Decimal("0.00")


def hold_is_active(hold: Hold) -> bool:
    """Whether the hold still reserves its funds: not captured, released or expired (read fresh)."""
    return Hold.objects.filter(pk=hold.pk, status=Hold.Status.ACTIVE).exists()


def available_balance(account: Account) -> Decimal:
    """Balance minus active holds: what the account can spend now."""
    return balance(account) - held_balance(account)


def ledger_balance(account: Account) -> Decimal:
    """The balance recomputed from the entries (what the cache must equal)."""
    return Entry.objects.filter(account_id=account.pk).aggregate(t=Sum("amount"))["t"] or Decimal("0.00")


def accounts_of(owner) -> list[Account]:
    """All accounts of ``owner``, oldest first, each with ``held`` (its active, unexpired holds).

    The same figures as ``with_held`` in one statement written once per process: this is the balance
    read behind every wallet page and ``GET /accounts/``, and building and compiling the ORM query
    cost more than running it (docs/performance.md)."""
    owner_type = ContentType.objects.get_for_model(owner)
    params = [Hold.Status.ACTIVE, timezone.now(), owner_type.pk, str(owner.pk)]
    return list(Account.objects.raw(_accounts_of_sql(), params))


@functools.cache
def _accounts_of_sql() -> str:
    # Identifiers come from the models' meta, quoted; every value is a parameter.
    q = connection.ops.quote_name
    account = {f.name: f"a.{q(f.column)}" for f in Account._meta.concrete_fields}
    hold = {f.name: f"h.{q(f.column)}" for f in Hold._meta.concrete_fields}
    held = (
        f"SELECT SUM({hold['amount']}) FROM {q(Hold._meta.db_table)} h WHERE {hold['account']} = {account['id']}"  # noqa: S608
        f" AND {hold['status']} = %s AND ({hold['expires_at']} IS NULL OR {hold['expires_at']} > %s)"
    )
    return (
        f"SELECT {', '.join(account.values())}, COALESCE(({held}), 0) AS held FROM {q(Account._meta.db_table)} a"  # noqa: S608
        f" WHERE {account['owner_type']} = %s AND {account['owner_id']} = %s ORDER BY {account['id']}"
    )


def with_held(qs: QuerySet[Account]) -> QuerySet[Account]:
    now = timezone.now()
    active = Q(holds__status=Hold.Status.ACTIVE) & (Q(holds__expires_at__isnull=True) | Q(holds__expires_at__gt=now))
    return qs.annotate(held=Sum("holds__amount", filter=active, default=Decimal(0))).order_by("id")


def owned_by(account: Account, user) -> bool:
    owner_type = ContentType.objects.get_for_model(user)
    return account.owner_type_id == owner_type.pk and account.owner_id == str(user.pk)


def _day_start(value: date) -> datetime:
    return timezone.make_aware(datetime.combine(value, time.min)) if not isinstance(value, datetime) else value


def entry_list(*, account: Account, date_from: date | None = None, date_to: date | None = None) -> QuerySet[Entry]:
    """The account's statement, newest first; ``date_to`` is inclusive (whole day)."""
    qs = Entry.objects.filter(account_id=account.pk).select_related("transaction")
    if date_from:
        qs = qs.filter(created_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(created_at__lt=_day_start(date_to) + timezone.timedelta(days=1))
    return qs.order_by("-created_at", "-id")


def credit_request_list(*, account: Account | None = None, status: str | None = None) -> QuerySet[CreditRequest]:
    qs = CreditRequest.objects.select_related("account", "requested_by", "decided_by")
    if account is not None:
        qs = qs.filter(account_id=account.pk)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def keyed_transaction(*, scope: str, key: str) -> Transaction | None:
    """The transaction posted under the idempotency ``key`` in ``scope``, None when none was."""
    return Transaction.objects.filter(idempotency_scope=scope, idempotency_key=key).first()


def charge_sale_list(*, account: Account) -> QuerySet[ChargeSale]:
    return ChargeSale.objects.filter(account_id=account.pk).order_by("-created_at")


def account_search(*, q: str = "", name: str = "", owner_type: str = "", owner_id: str = "") -> QuerySet[Account]:
    """Staff lookup: by system name, owner (``app_label.model`` + id), or free text over both."""
    qs = Account.objects.select_related("owner_type")
    if name:
        qs = qs.filter(name=name)
    if owner_type:
        app_label, _, model = owner_type.partition(".")
        qs = qs.filter(owner_type__app_label=app_label, owner_type__model=model.lower())
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if q:
        match = Q(name__icontains=q) | Q(owner_id=q)
        if q.isdigit():
            match |= Q(pk=int(q))
        qs = qs.filter(match)
    return with_held(qs)
