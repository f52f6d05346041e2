"""Automatic postings of the business's other events, each keyed by its cause so it is booked once.
An event dated in a closed period is posted on the first open day.

Every line references its source: a commission, a payslip, a wallet transaction. The wallet
account moves only with a wallet transaction (its id on the line), which is what lets the
reconciliation compare the books' wallet account with the wallet's balance.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from ..models import JournalEntry
from ._money import money
from .journal import credit, debit, entry_post, first_open_day

WALLET_TX = "wallet_transaction"
# Wallet transactions of these kinds into or out of the business are the owner's capital moving.
OWNER_KINDS = frozenset({"deposit", "withdrawal", "credit"})


def commission_accrued(*, commission_id: str, amount, date: dt.date, memo: str = "") -> JournalEntry:
    """The commission owed to an agent: an expense now, a liability until paid."""
    ref = {"source_type": "commission", "source_id": commission_id}
    entry, _ = entry_post(date=first_open_day(date), key=f"commission-accrued:{commission_id}",
                          memo=memo or f"Commission {commission_id} accrued", lines=[
        debit("commissions", amount, **ref), credit("commissions_payable", amount, **ref)])
    return entry


@transaction.atomic
def commission_paid(*, commission_id: str, amount, date: dt.date, wallet_transaction_id: str,
                    accrued_on: dt.date | None = None, memo: str = "") -> JournalEntry:
    """The commission leaving the wallet; its accrual is booked first if it was not yet."""
    commission_accrued(commission_id=commission_id, amount=amount, date=accrued_on or date)
    entry, _ = entry_post(date=first_open_day(date), key=f"commission-paid:{commission_id}",
                          memo=memo or f"Commission {commission_id} paid", lines=[
        debit("commissions_payable", amount, source_type="commission", source_id=commission_id),
        credit("wallet", amount, source_type=WALLET_TX, source_id=wallet_transaction_id)])
    return entry


@dataclass(frozen=True)
class PayslipAmounts:
    payslip_id: int | str
    gross: Decimal
    deductions: Decimal
    net: Decimal


def payroll_paid(*, run_id: int | str, date: dt.date, payslips: Iterable[PayslipAmounts],
                 wallet_transaction_id: str, memo: str = "") -> JournalEntry:
    """A paid payroll run: each payslip's gross is salary expense, its deductions are withheld (owed
    to the tax office), and the nets left the wallet in one transaction."""
    payslips = list(payslips)
    lines = []
    for slip in payslips:
        ref = {"source_type": "payslip", "source_id": slip.payslip_id}
        lines += [debit("salaries", slip.gross, **ref), credit("payroll_withholdings", slip.deductions, **ref)]
    lines.append(credit("wallet", sum((money(s.net, allow_zero=True) for s in payslips), Decimal("0")),
                        source_type=WALLET_TX, source_id=wallet_transaction_id))
    entry, _ = entry_post(date=first_open_day(date), key=f"payroll-run:{run_id}", lines=lines,
                          memo=memo or f"Payroll run {run_id}")
    return entry


def wallet_movement(*, wallet_transaction_id: str, amount, date: dt.date, kind: str, memo: str = "") -> JournalEntry:
    """A wallet transaction into (``amount`` > 0) or out of the business that no other posting books:
    a top-up or withdrawal is owner's equity, any other transfer other income or expense."""
    amount = money(amount, allow_negative=True)
    other = "equity" if kind in OWNER_KINDS else ("other_income" if amount > 0 else "other_expenses")
    ref = {"source_type": WALLET_TX, "source_id": wallet_transaction_id}
    entry, _ = entry_post(date=first_open_day(date), key=f"wallet:{wallet_transaction_id}",
                          memo=memo or f"Wallet {kind} {wallet_transaction_id}", lines=[
        debit("wallet", amount, **ref) if amount > 0 else credit("wallet", -amount, **ref),
        credit(other, amount, **ref) if amount > 0 else debit(other, -amount, **ref)])
    return entry
