"""The journal: balanced entries, posted once per key, corrected by reversal, closed by period."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from ..errors import AlreadyReversed, NotReversible, PeriodAlreadyClosed, PeriodClosed, UnbalancedEntry
from ..models import JournalEntry, JournalLine, LedgerAccount, PeriodClose
from ._money import money
from .chart import account_by_role


@dataclass(frozen=True)
class Line:
    """One line to post: ``account`` is an account or a role; ``amount`` is signed (debit positive)."""

    account: LedgerAccount | str
    amount: Decimal
    source_type: str = ""
    source_id: str | int = ""
    memo: str = ""


def debit(account: LedgerAccount | str, amount, **ref) -> Line:
    return Line(account, money(amount, allow_zero=True), **ref)


def credit(account: LedgerAccount | str, amount, **ref) -> Line:
    return Line(account, -money(amount, allow_zero=True), **ref)


def closed_through() -> dt.date | None:
    return PeriodClose.objects.aggregate(last=Max("closed_through"))["last"]


def first_open_day(date: dt.date) -> dt.date:
    """``date``, or the day after the closed periods when it falls in one: automatic postings of an
    event that arrives late land in the first open period instead of being refused."""
    closed = closed_through()
    return closed + dt.timedelta(days=1) if closed is not None and date <= closed else date


def _check_open(date: dt.date) -> None:
    closed = closed_through()
    if closed is not None and date <= closed:
        raise PeriodClosed(f"The books are closed through {closed}; {date} is refused.")


def entry_post(
    *,
    date: dt.date,
    lines: Iterable[Line],
    memo: str = "",
    key: str | None = None,
    created_by=None,
    reverses: JournalEntry | None = None,
) -> tuple[JournalEntry, bool]:
    """Post a balanced entry; with a ``key``, once: a repeat (also a concurrent one) returns the first
    entry and ``created=False``. Lines of zero are left out; fewer than two lines, or debits unequal
    to credits, is ``UnbalancedEntry``. The database checks the same at commit."""
    if key:
        existing = JournalEntry.objects.filter(key=key).first()
        if existing is not None:
            return existing, False
    lines = [Line(line.account, amount, line.source_type, line.source_id, line.memo) for line in lines
             if (amount := money(line.amount, allow_zero=True, allow_negative=True)) != 0]
    if len(lines) < 2 or sum(line.amount for line in lines) != 0:
        raise UnbalancedEntry()
    _check_open(date)
    accounts = {line.account: line.account if isinstance(line.account, LedgerAccount)
                else account_by_role(line.account) for line in lines}
    try:
        with transaction.atomic():
            entry = JournalEntry.objects.create(date=date, memo=memo[:255], key=key or None, created_by=created_by,
                                                reverses=reverses)
            JournalLine.objects.bulk_create([
                JournalLine(entry=entry, account=accounts[line.account], amount=line.amount, date=date,
                            memo=line.memo[:255], source_type=line.source_type, source_id=str(line.source_id))
                for line in lines
            ])
    except IntegrityError:
        if key and (existing := JournalEntry.objects.filter(key=key).first()) is not None:
            return existing, False  # a concurrent post of the same key won
        if reverses is not None and JournalEntry.objects.filter(reverses=reverses).exists():
            raise AlreadyReversed() from None
        _check_open(date)  # a period closed meanwhile: the database refused it
        raise
    return entry, True


@transaction.atomic
def entry_reverse(*, entry: JournalEntry, date: dt.date | None = None, memo: str = "",
                  created_by=None) -> JournalEntry:
    """A new entry with every line of ``entry`` negated, dated ``date`` (default today); once."""
    if entry.reverses_id is not None:
        raise NotReversible()
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise AlreadyReversed()
    lines = [Line(line.account, -line.amount, line.source_type, line.source_id, line.memo)
             for line in entry.lines.select_related("account")]
    reversal, _ = entry_post(date=date or timezone.localdate(), lines=lines, created_by=created_by,
                             memo=memo or f"Reversal of entry {entry.pk}: {entry.memo}", reverses=entry)
    return reversal


@transaction.atomic
def period_close(*, through: dt.date, closed_by=None) -> PeriodClose:
    """Close the books through ``through`` (inclusive). The journal is locked against inserts until
    this commits, so an entry of the closing period either committed before or is refused after."""
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {JournalEntry._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    closed = closed_through()
    if closed is not None and through <= closed:
        raise PeriodAlreadyClosed()
    return PeriodClose.objects.create(closed_through=through, closed_by=closed_by)
