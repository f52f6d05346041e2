"""Check the ledger's invariants; exits 1 on any mismatch (usable from cron/CI)."""

import sys

from django.core.management.base import BaseCommand

from django_wallet import services


class Command(BaseCommand):
    help = "Verify every transaction sums to 0, every stored balance equals its entries, and the ledger sums to 0."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="Do not draw the progress bar.")

    def handle(self, *args, no_progress=False, **options):
        report = services.verify_ledger(progress=None if no_progress else self._progress)
        if not no_progress:
            self.stderr.write("")
        for m in report.mismatches:
            self.stdout.write(" ".join(f"{k}={v}" for k, v in m.items()))
        summary = (
            f"{report.transactions_checked} transactions, {report.accounts_checked} accounts, "
            f"sum of all entries {report.total}: {len(report.mismatches)} mismatches"
        )
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"OK: {summary}"))
            return
        self.stderr.write(self.style.ERROR(f"FAILED: {summary}"))
        sys.exit(1)

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        self.stderr.write(f"\raccounts [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        self.stderr.flush()
