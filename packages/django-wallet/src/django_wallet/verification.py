"""verify_ledger: recompute the ledger's invariants from the entries, in one consistent snapshot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db import transaction as db_transaction

CHUNK = 1000


@dataclass
class LedgerReport:
    transactions_checked: int = 0
    accounts_checked: int = 0
    total: Decimal = Decimal(0)
    # Each mismatch: {"kind": "unbalanced_transaction" | "empty_transaction" | "balance_mismatch" | "global_sum", ...}
    mismatches: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "transactions_checked": self.transactions_checked,
            "accounts_checked": self.accounts_checked,
            "total": str(self.total),
            "mismatches": [{k: str(v) for k, v in m.items()} for m in self.mismatches],
        }


def verify_ledger(*, progress: Callable[[int, int], None] | None = None) -> LedgerReport:
    """Check every transaction sums to 0, every stored balance equals its entries, and all entries sum to 0.

    Runs in one REPEATABLE READ, READ ONLY snapshot so concurrent postings never cause false alarms
    (when called inside an outer atomic block it uses that block's snapshot instead).
    ``progress(done, total)`` is called as accounts are checked.
    """
    report = LedgerReport()
    outermost = not connection.in_atomic_block
    with db_transaction.atomic(), connection.cursor() as cur:
        if outermost:  # must be the transaction's first statement
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cur.execute("""
            SELECT t.id, COALESCE(SUM(e.amount), 0), COUNT(e.id)
            FROM wallet_transaction t LEFT JOIN wallet_entry e ON e.transaction_id = t.id
            GROUP BY t.id HAVING COALESCE(SUM(e.amount), 0) <> 0 OR COUNT(e.id) = 0""")
        for txn_id, total, count in cur.fetchall():
            kind = "empty_transaction" if count == 0 else "unbalanced_transaction"
            report.mismatches.append({"kind": kind, "transaction": txn_id, "sum": total})
        cur.execute("SELECT COUNT(*) FROM wallet_transaction")
        report.transactions_checked = cur.fetchone()[0]

        cur.execute("SELECT COUNT(*) FROM wallet_account")
        n_accounts = cur.fetchone()[0]
        last_id = 0
        while True:
            cur.execute(
                """
                SELECT a.id, a.balance,
                       COALESCE((SELECT SUM(e.amount) FROM wallet_entry e WHERE e.account_id = a.id), 0)
                FROM wallet_account a WHERE a.id > %s ORDER BY a.id LIMIT %s""",
                [last_id, CHUNK],
            )
            rows = cur.fetchall()
            if not rows:
                break
            for account_id, stored, computed in rows:
                if stored != computed:
                    report.mismatches.append(
                        {"kind": "balance_mismatch", "account": account_id, "stored": stored, "entries": computed}
                    )
            last_id = rows[-1][0]
            report.accounts_checked += len(rows)
            if progress:
                progress(report.accounts_checked, n_accounts)

        cur.execute("SELECT COALESCE(SUM(amount), 0) FROM wallet_entry")
        report.total = cur.fetchone()[0]
        if report.total != 0:
            report.mismatches.append({"kind": "global_sum", "sum": report.total})
    return report
