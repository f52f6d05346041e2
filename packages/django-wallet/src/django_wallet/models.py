"""Double-entry ledger.

- ``Account``: owned by any model instance (generic owner: content type + id) or a named system
  account. ``balance`` is a cache of the sum of its entries, kept under a row lock by the services
  and checked by ``verify_ledger``. A CHECK keeps it >= 0 unless ``allow_overdraft``.
- ``Transaction``: one posting (UUID). Its ``Entry`` rows (signed amounts) sum to zero; a deferred
  constraint trigger enforces that at COMMIT (migration 0002).
- Transactions and entries are append-only: the models refuse save-on-existing/delete and the
  database refuses UPDATE/DELETE/TRUNCATE with triggers. Corrections are reversing transactions.
- ``Hold``: reserves funds (available = balance - active holds) until captured, released or expired.
- ``CreditRequest`` / ``ChargeSale``: the B2B charge shop on top of the ledger.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from forecourt_core.amounts import AmountField

from . import conf
from .errors import ImmutableLedger


def default_currency() -> str:
    return conf.get("WALLET_CURRENCY")


class Account(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        FROZEN = "frozen", "Frozen"

    owner_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    owner_id = models.CharField(max_length=64, blank=True, default="")
    name = models.CharField(max_length=64, blank=True, default="", help_text="Name of a system account.")
    purpose = models.CharField(max_length=32, default="main")
    currency = models.CharField(max_length=3, default=default_currency)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    allow_overdraft = models.BooleanField(default=False)
    balance = AmountField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(allow_overdraft=True) | Q(balance__gte=0),
                name="wallet_account_no_overdraft"),
            # Either an owner or a system name, never both or neither.
            models.CheckConstraint(
                condition=(Q(owner_type__isnull=False) & ~Q(owner_id="") & Q(name=""))
                | (Q(owner_type__isnull=True) & Q(owner_id="") & ~Q(name="")),
                name="wallet_account_owner_xor_name"),
            models.UniqueConstraint(
                fields=["owner_type", "owner_id", "purpose"],
                condition=Q(owner_type__isnull=False),
                name="wallet_account_unique_owner_purpose",
            ),
            models.UniqueConstraint(fields=["name"], condition=~Q(name=""), name="wallet_account_unique_name"),
        ]

    def __str__(self) -> str:
        who = self.name or f"{self.owner_type_id}:{self.owner_id}/{self.purpose}"
        return f"Account #{self.pk} {who}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableLedger()

    def delete(self):
        raise ImmutableLedger()

    update.queryset_only = True
    delete.queryset_only = True


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableLedger()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableLedger()


class Transaction(AppendOnlyModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32)
    memo = models.CharField(max_length=255, blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)
    # Keys are unique per scope (the caller: e.g. "user:42"); the fingerprint detects key reuse
    # with another request.
    idempotency_scope = models.CharField(max_length=128, blank=True, default="")
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    # OneToOne: the database allows at most one reversal per transaction.
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_scope", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="wallet_transaction_unique_idempotency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class Entry(AppendOnlyModel):
    # Indexed by the (transaction, id) index below, which the balance trigger uses.
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries", db_index=False)
    # Indexed by the statement index below, which starts with it: one index fewer to write per entry.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries", db_index=False)
    amount = AmountField(help_text="Signed: positive credits the account, negative debits it.")
    balance_after = AmountField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "entries"
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="wallet_entry_nonzero")]
        indexes = [
            models.Index(fields=["account", "created_at", "id"], name="wallet_entry_statement"),
            models.Index(fields=["transaction", "id"], name="wallet_entry_transaction"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} on account #{self.account_id}"


class IdempotencyFailure(models.Model):
    """The refusal a keyed request got, so that a retry with the same key gets the same refusal.

    A key names one attempt: once it failed (short funds, frozen account...), retrying it must not
    post later when the situation has changed; the client sends a new key for a new attempt. Written
    in the caller's transaction: if that rolls back, nothing happened and the key is free again.
    """

    idempotency_scope = models.CharField(max_length=128, blank=True, default="")
    idempotency_key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    code = models.CharField(max_length=64)
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idempotency_scope", "idempotency_key"], name="wallet_failure_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.code} for key {self.idempotency_key!r}"


class Hold(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CAPTURED = "captured", "Captured"
        RELEASED = "released", "Released"
        EXPIRED = "expired", "Expired"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="holds")
    amount = AmountField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    expires_at = models.DateTimeField(null=True, blank=True)
    memo = models.CharField(max_length=255, blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)
    transaction = models.OneToOneField(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="capture_of"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="wallet_hold_positive")]
        indexes = [
            models.Index(fields=["account", "status"], name="wallet_hold_account_status"),
            models.Index(fields=["status", "expires_at"], name="wallet_hold_expiry"),
        ]

    def __str__(self) -> str:
        return f"Hold #{self.pk} {self.amount} ({self.status})"


class CreditRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="credit_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount = AmountField()
    note = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    transaction = models.OneToOneField(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_request"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("decide_creditrequest", "Can approve or reject credit requests")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="wallet_creditrequest_positive"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(transaction__isnull=False),
                name="wallet_creditrequest_approved_has_transaction"),
        ]

    def __str__(self) -> str:
        return f"Credit request #{self.pk} {self.amount} ({self.status})"


class ChargeSale(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="charge_sales")
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phone = models.CharField(max_length=16, help_text="E.164")
    amount = AmountField()
    transaction = models.OneToOneField(Transaction, on_delete=models.PROTECT, related_name="charge_sale")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="wallet_chargesale_positive")]

    def __str__(self) -> str:
        return f"Charge {self.amount} to {self.phone}"
