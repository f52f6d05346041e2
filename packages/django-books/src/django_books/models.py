"""Double-entry books for one business (in the demo site: one dealership schema).

- ``LedgerAccount``: the chart of accounts. Each account has a ``type`` (asset, liability, equity,
  income, expense) and, for the accounts automatic postings use, a ``role`` (unique): postings find
  "the wallet account" by role, so the accountant may renumber and rename freely.
- ``JournalEntry`` and ``JournalLine``: an entry is a dated set of lines whose signed amounts
  (debit positive, credit negative) sum to zero. The database enforces it at commit, refuses any
  UPDATE, DELETE or TRUNCATE, and refuses an entry dated in a closed period (migration 0002). A
  mistake is corrected by a reversal entry. An automatic entry has a ``key`` (unique): it exists once.
- Every line names what caused it: ``source_type`` and ``source_id`` (a sale, lead, commission,
  payslip, wallet transaction, vehicle).
- ``PeriodClose``: the books are closed up to ``closed_through``; append-only.
- ``BooksProfile``: the business's VAT rate (or exemption) and the details printed on invoices.
- ``InvoiceCounter``: the last invoice number, one row, incremented inside the sale's transaction
  so a rolled-back sale gives its number back: numbers have no gaps.
- ``VehicleCost`` and ``VehicleSale``: acquisition and reconditioning costs per vehicle, and each
  sale as the books saw it (invoice number, net, VAT, cost), which gives the gross margin.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

MONEY = {"max_digits": 18, "decimal_places": 2}
ZERO = Decimal("0.00")


class AccountType(models.TextChoices):
    ASSET = "asset", "Asset"
    LIABILITY = "liability", "Liability"
    EQUITY = "equity", "Equity"
    INCOME = "income", "Income"
    EXPENSE = "expense", "Expense"


# A debit raises these; a credit raises the others (liability, equity, income).
DEBIT_NORMAL = frozenset({AccountType.ASSET, AccountType.EXPENSE})


class LedgerAccount(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    type = models.CharField(max_length=10, choices=AccountType.choices)
    role = models.SlugField(max_length=40, null=True, blank=True, unique=True,
                            help_text="What automatic postings use this account for; empty for the accountant's own.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        permissions = [("view_reports", "Can view the books' reports"),
                       ("close_period", "Can close accounting periods")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def debit_normal(self) -> bool:
        return self.type in DEBIT_NORMAL


class JournalEntry(models.Model):
    date = models.DateField(db_index=True)
    memo = models.CharField(max_length=255, blank=True, default="")
    key = models.CharField(max_length=128, null=True, blank=True, unique=True,
                           help_text="Automatic entries: what caused it, so it is booked once.")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"Entry {self.pk} {self.date}: {self.memo}"


class JournalLine(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="lines")
    amount = models.DecimalField(**MONEY, help_text="Signed: a debit is positive, a credit negative.")
    # Copied from the entry: the ledger and the reports filter lines by date without a join.
    date = models.DateField()
    memo = models.CharField(max_length=255, blank=True, default="")
    source_type = models.CharField(max_length=40, blank=True, default="")
    source_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["entry_id", "id"]
        indexes = [models.Index(fields=["account", "date"], name="books_line_account_date"),
                   models.Index(fields=["source_type", "source_id"], name="books_line_source")]

    def __str__(self) -> str:
        return f"{self.account.code} {self.amount}"

    @property
    def debit(self) -> Decimal:
        return self.amount if self.amount > 0 else ZERO

    @property
    def credit(self) -> Decimal:
        return -self.amount if self.amount < 0 else ZERO


class PeriodClose(models.Model):
    closed_through = models.DateField(unique=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-closed_through"]

    def __str__(self) -> str:
        return f"Closed through {self.closed_through}"


class BooksProfile(models.Model):
    """One row (id 1): the business's VAT and invoice details."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    legal_name = models.CharField(max_length=200, blank=True, default="")
    address = models.TextField(blank=True, default="")
    vat_number = models.CharField(max_length=40, blank=True, default="")
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("20.00"),
                                   help_text="Percent, included in sale prices.")
    vat_exempt = models.BooleanField(default=False, help_text="Sales carry no VAT (zero-rated or exempt).")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.legal_name or "Books profile"

    @property
    def effective_vat_rate(self) -> Decimal:
        return ZERO if self.vat_exempt else self.vat_rate


class InvoiceCounter(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Last invoice {self.last_number}"


class VehicleCost(models.Model):
    class Kind(models.TextChoices):
        ACQUISITION = "acquisition", "Acquisition"
        RECONDITIONING = "reconditioning", "Reconditioning"

    vehicle_id = models.BigIntegerField(db_index=True, help_text="The car's id in its store.")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount = models.DecimalField(**MONEY)
    incurred_on = models.DateField()
    description = models.CharField(max_length=255, blank=True, default="")
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="vehicle_cost")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["vehicle_id", "incurred_on", "id"]
        constraints = [models.UniqueConstraint(fields=["vehicle_id"], condition=Q(kind="acquisition"),
                                               name="books_vehiclecost_one_acquisition")]

    def __str__(self) -> str:
        return f"Vehicle {self.vehicle_id} {self.kind} {self.amount}"


class VehicleSale(models.Model):
    """A sale as the books saw it; ``cost`` is what left inventory, so margin = net - cost."""

    key = models.CharField(max_length=128, unique=True)
    invoice_number = models.PositiveIntegerField(unique=True)
    vehicle_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    description = models.CharField(max_length=255)
    customer_name = models.CharField(max_length=200, blank=True, default="")
    sold_on = models.DateField(db_index=True)
    gross = models.DecimalField(**MONEY)
    net = models.DecimalField(**MONEY)
    vat = models.DecimalField(**MONEY)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    cost = models.DecimalField(**MONEY)
    # The seller's details as they were on the day (an invoice never changes afterwards).
    seller_name = models.CharField(max_length=200, blank=True, default="")
    seller_address = models.TextField(blank=True, default="")
    seller_vat_number = models.CharField(max_length=40, blank=True, default="")
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="vehicle_sale")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-invoice_number"]

    def __str__(self) -> str:
        return f"Invoice {self.invoice_number}: {self.description}"

    @property
    def margin(self) -> Decimal:
        return self.net - self.cost
