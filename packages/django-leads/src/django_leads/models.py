"""Dealer and broker CRM: leads, agents, assignment, sales and commissions.

All tables live next to the dealership's inventory (a tenant schema in the demo site; any schema
in a plain project). Users are referenced through ``settings.AUTH_USER_MODEL``.

- ``AgentProfile``: the users leads may be assigned to (sales agents, brokers). The site fills it
  from its memberships with ``services.agent_sync``; the package never knows about roles/tenants.
- ``AssignmentRule``: singleton (pk=1) holding the automatic strategy and the round-robin pointer.
  Auto-assignment locks this row, so concurrent creations take turns and land evenly.
- ``Lead``: a prospective buyer's interest in one car. Its ``status`` moves only along
  ``pipeline.TRANSITIONS``; every change is recorded by django-simple-history (the timeline).
- ``Sale``: what a won lead records. ``car_key`` (the car's id when sold) is UNIQUE, so a car is
  sold at most once even when two leads are won at the same moment (the database decides).
- ``CommissionRule`` / ``Commission``: rules per role or per agent; a commission is accrued on the
  sale and paid once (row lock + status, and the wallet idempotency key as a second fence).
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from forecourt_core.amounts import AmountField


class AgentRole(models.TextChoices):
    SALES_AGENT = "sales_agent", "Sales agent"
    BROKER = "broker", "Broker"


class AgentProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=16, choices=AgentRole.choices, default=AgentRole.SALES_AGENT)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user_id"]

    def __str__(self) -> str:
        return f"{self.user_id} ({self.role})"


class AssignmentRule(models.Model):
    class Strategy(models.TextChoices):
        ROUND_ROBIN = "round_robin", "Round robin"
        LEAST_OPEN = "least_open", "Fewest open leads"
        MANUAL = "manual", "Manual only"

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    strategy = models.CharField(max_length=16, choices=Strategy.choices, default=Strategy.ROUND_ROBIN)
    # Round-robin pointer: the user id of the last agent served (the next is the following id).
    last_agent_id = models.BigIntegerField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="leads_assignmentrule_singleton")]

    def __str__(self) -> str:
        return f"Assignment: {self.strategy}"


class LeadStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    QUALIFIED = "qualified", "Qualified"
    NEGOTIATING = "negotiating", "Negotiating"
    WON = "won", "Won"
    LOST = "lost", "Lost"


OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED, LeadStatus.NEGOTIATING)


class LeadSource(models.TextChoices):
    MARKETPLACE = "marketplace", "Marketplace contact form"
    PHONE = "phone", "Phone"
    WALK_IN = "walk_in", "Walk-in"
    BROKER = "broker", "Broker"
    WEBSITE = "website", "Website"


class Lead(models.Model):
    # SET_NULL: the car may leave the inventory (sold through the marketplace); the lead stays.
    car = models.ForeignKey("car_listing.Car", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    contact_name = models.CharField(max_length=200, blank=True, default="")
    contact_phone = models.CharField(max_length=20, blank=True, default="", help_text="E.164")
    contact_email = models.EmailField(blank=True, default="")
    source = models.CharField(max_length=16, choices=LeadSource.choices, default=LeadSource.MARKETPLACE)
    notes = models.TextField(blank=True, default="")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    status = models.CharField(max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW)
    lost_reason = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("assign_lead", "Can assign leads to agents"),
            ("reopen_lead", "Can reopen lost leads"),
            ("view_all_leads", "Can see every lead of the dealership"),
            ("view_analytics", "Can see lead and sales analytics"),
        ]
        indexes = [
            models.Index(fields=["agent", "status"]),
            models.Index(fields=["buyer", "car", "created_at"]),
            models.Index(fields=["created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(buyer__isnull=False) | ~Q(contact_name="") | ~Q(contact_phone="") | ~Q(contact_email=""),
                name="leads_lead_has_contact"),
            models.CheckConstraint(condition=~Q(status="lost") | ~Q(lost_reason=""), name="leads_lead_lost_has_reason"),
            models.CheckConstraint(
                condition=Q(status__in=["won", "lost"], closed_at__isnull=False)
                | (~Q(status__in=["won", "lost"]) & Q(closed_at__isnull=True)),
                name="leads_lead_closed_at_iff_closed"),
        ]

    def __str__(self) -> str:
        return f"Lead #{self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Sale(models.Model):
    class Payment(models.TextChoices):
        OFFLINE = "offline", "Offline (cash, bank, financing)"
        PLATFORM = "platform", "Through the platform wallet"

    lead = models.OneToOneField(Lead, on_delete=models.PROTECT, related_name="sale")
    car = models.ForeignKey("car_listing.Car", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The car's id when sold: UNIQUE, so a car can be sold only once (survives the car row leaving).
    car_key = models.BigIntegerField(unique=True)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    buyer_name = models.CharField(max_length=200, blank=True, default="")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    agreed_price = AmountField()
    payment = models.CharField(max_length=16, choices=Payment.choices)
    # car-listing's purchase id for platform payments.
    purchase_ref = models.CharField(max_length=64, blank=True, default="")
    sold_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sold_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(agreed_price__gt=0), name="leads_sale_price_positive")]

    def __str__(self) -> str:
        return f"Sale #{self.pk} car {self.car_key} for {self.agreed_price}"


class CommissionRule(models.Model):
    class Kind(models.TextChoices):
        PERCENT = "percent", "Percent of the sale price"
        FLAT = "flat", "Flat amount per sale"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    percent = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    amount = AmountField(null=True, blank=True)
    role = models.CharField(max_length=16, choices=AgentRole.choices, blank=True, default="",
                            help_text="Applies to agents of this role (ignored when agent is set).")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+", help_text="Applies to this agent only; beats a role rule.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        permissions = [("manage_commissionrule", "Can set commission rules")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="percent", percent__gt=0, percent__lte=100, amount__isnull=True)
                | Q(kind="flat", amount__gt=0, percent__isnull=True),
                name="leads_commissionrule_kind_values"),
            models.CheckConstraint(condition=Q(agent__isnull=False) | ~Q(role=""), name="leads_commissionrule_scope"),
            # At most one active rule per agent and one per role, so the applicable rule is unambiguous.
            models.UniqueConstraint(fields=["agent"], condition=Q(is_active=True, agent__isnull=False),
                                    name="leads_commissionrule_one_active_per_agent"),
            models.UniqueConstraint(fields=["role"], condition=Q(is_active=True, agent__isnull=True),
                                    name="leads_commissionrule_one_active_per_role"),
        ]

    def __str__(self) -> str:
        value = f"{self.percent}%" if self.kind == self.Kind.PERCENT else f"{self.amount} flat"
        return f"{value} for {self.agent_id or self.role}"


class Commission(models.Model):
    class Status(models.TextChoices):
        ACCRUED = "accrued", "Accrued"
        PAID = "paid", "Paid"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="commissions")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(CommissionRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    amount = AmountField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACCRUED)
    accrued_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    # The wallet Transaction (public schema) that paid it: a plain reference, not a cross-schema FK.
    wallet_transaction_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-accrued_at", "-id"]
        permissions = [("pay_commission", "Can pay commissions out of the business account")]
        constraints = [
            models.UniqueConstraint(fields=["sale", "agent"], name="leads_commission_one_per_sale_agent"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="leads_commission_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="accrued", paid_at__isnull=True) | Q(status="paid", paid_at__isnull=False),
                name="leads_commission_paid_at_iff_paid"),
        ]

    def __str__(self) -> str:
        return f"Commission #{self.pk} {self.amount} ({self.status})"
