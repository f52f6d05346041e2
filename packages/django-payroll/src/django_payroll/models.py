"""HR and payroll for one business (in the demo site: one dealership schema).

Design overview
---------------
- ``Employee`` is a person on the payroll; ``user`` (optional) is the platform user whose
  wallet receives the pay. ``SalaryStructure`` rows are effective-dated: a raise is a new
  row with a later ``effective_from``; the rows (plus django-simple-history) are the salary
  history. ``SalaryComponent`` rows are the allowances and fixed deductions of a structure.
- ``TaxBand`` is the progressive (marginal) income-tax table applied to monthly gross pay.
- ``PayrollRun`` moves draft -> calculated -> approved -> paid. Calculating writes one
  ``Payslip`` per employee (DB-unique per run and employee) with ``PayslipLine`` rows.
  Paying is ONE wallet ``transfer_many`` from the business account; a paid run is frozen,
  corrections are runs of kind ``adjustment``. One regular run per period (DB-unique).
- The business's books (income, expenses, reports) are django-books: a paid run posts its
  salaries, withholdings and nets there, keyed by the run, in the transaction that pays it.

All money is ``Decimal`` with 2 places; the services validate amounts and never let the
database round them.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

MONEY = {"max_digits": 18, "decimal_places": 2}



class Employee(models.Model):
    class EmploymentType(models.TextChoices):
        FULL_TIME = "full_time", "Full time"
        PART_TIME = "part_time", "Part time"
        CONTRACTOR = "contractor", "Contractor"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ON_LEAVE = "on_leave", "On leave"
        TERMINATED = "terminated", "Terminated"

    class PayoutTarget(models.TextChoices):
        WALLET = "wallet", "Wallet"  # the user's wallet account
        BANK = "bank", "Bank"  # the bank clearing wallet account, paid out externally

    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.CharField(max_length=150, blank=True)
    department = models.CharField(max_length=150, blank=True, db_index=True)
    employment_type = models.CharField(max_length=20, choices=EmploymentType.choices, default=EmploymentType.FULL_TIME)
    hire_date = models.DateField()
    termination_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    payout_target = models.CharField(max_length=10, choices=PayoutTarget.choices, default=PayoutTarget.WALLET)
    bank_account = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(user__isnull=False), name="payroll_employee_user_uniq"
            ),
            models.CheckConstraint(
                condition=Q(termination_date__isnull=True) | Q(termination_date__gte=F("hire_date")),
                name="payroll_employee_dates_ck"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class SalaryStructure(models.Model):
    """The monthly salary of an employee from ``effective_from`` until the next structure."""

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="salaries")
    effective_from = models.DateField()
    base_salary = models.DecimalField(**MONEY)
    include_commission = models.BooleanField(default=True)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["employee_id", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "effective_from"], name="payroll_salary_employee_from_uniq"),
            models.CheckConstraint(condition=Q(base_salary__gte=0), name="payroll_salary_base_ck"),
        ]

    def __str__(self) -> str:
        return f"{self.employee} from {self.effective_from}: {self.base_salary}"


class ComponentKind(models.TextChoices):
    EARNING = "earning", "Earning"
    DEDUCTION = "deduction", "Deduction"


class SalaryComponent(models.Model):
    """A fixed monthly allowance (earning) or deduction of a structure."""

    structure = models.ForeignKey(SalaryStructure, on_delete=models.CASCADE, related_name="components")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=ComponentKind.choices)
    amount = models.DecimalField(**MONEY)
    prorate = models.BooleanField(default=True)  # False: charged in full for any month worked

    class Meta:
        ordering = ["structure_id", "kind", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payroll_component_amount_ck")]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"


class TaxBand(models.Model):
    """Marginal band: ``rate`` percent of the monthly gross between ``lower`` and ``upper``."""

    lower = models.DecimalField(**MONEY, unique=True)
    upper = models.DecimalField(**MONEY, null=True, blank=True)  # null: no upper bound
    rate = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["lower"]
        constraints = [
            models.CheckConstraint(condition=Q(rate__gte=0) & Q(rate__lte=100), name="payroll_taxband_rate_ck"),
            models.CheckConstraint(condition=Q(lower__gte=0), name="payroll_taxband_lower_ck"),
            models.CheckConstraint(
                condition=Q(upper__isnull=True) | Q(upper__gt=F("lower")),
                name="payroll_taxband_upper_ck"),
        ]

    def __str__(self) -> str:
        return f"{self.lower}-{self.upper or '∞'} @ {self.rate}%"


class PayrollRun(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", "Regular"
        ADJUSTMENT = "adjustment", "Adjustment"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        CALCULATED = "calculated", "Calculated"
        APPROVED = "approved", "Approved"
        PAID = "paid", "Paid"

    period = models.DateField(help_text="First day of the month paid.")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.REGULAR)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField(max_length=255, blank=True)
    total_gross = models.DecimalField(**MONEY, default=0)
    total_deductions = models.DecimalField(**MONEY, default=0)
    total_net = models.DecimalField(**MONEY, default=0)
    error_code = models.CharField(max_length=64, blank=True)  # last failed payment attempt, e.g. insufficient_funds
    error_message = models.CharField(max_length=255, blank=True)
    pay_attempts = models.PositiveIntegerField(default=0)  # failed payment attempts; part of the wallet key
    wallet_transaction_id = models.UUIDField(null=True, blank=True)  # the wallet Transaction that paid it
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    calculated_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period", "-id"]
        permissions = [
            ("approve_payrollrun", "Can approve payroll runs"),
            ("pay_payrollrun", "Can pay approved payroll runs"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["period"], condition=Q(kind="regular"), name="payroll_run_regular_period_uniq"
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="payroll_run_period_first_day_ck"),
            models.CheckConstraint(
                condition=Q(total_net=F("total_gross") - F("total_deductions")),
                name="payroll_run_totals_ck"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} payroll {self.period:%Y-%m} ({self.status})"


class PayrollAdjustment(models.Model):
    """A correction paid through an adjustment run (earning adds, deduction subtracts)."""

    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="adjustments")
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=ComponentKind.choices)
    amount = models.DecimalField(**MONEY)
    description = models.CharField(max_length=255)

    class Meta:
        ordering = ["run_id", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payroll_adjustment_amount_ck")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}: {self.description}"


class Payslip(models.Model):
    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="payslips")
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="payslips")
    # Snapshots: reports and documents show what was true when the slip was calculated.
    employee_name = models.CharField(max_length=301)
    department = models.CharField(max_length=150, blank=True)
    position = models.CharField(max_length=150, blank=True)
    days_in_period = models.PositiveSmallIntegerField()
    days_paid = models.PositiveSmallIntegerField()
    gross = models.DecimalField(**MONEY)
    total_deductions = models.DecimalField(**MONEY)
    net = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run_id", "employee_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "employee"], name="payroll_payslip_run_employee_uniq"),
            models.CheckConstraint(condition=Q(net=F("gross") - F("total_deductions")), name="payroll_payslip_net_ck"),
            models.CheckConstraint(condition=Q(net__gte=0), name="payroll_payslip_net_nonneg_ck"),
        ]

    def __str__(self) -> str:
        return f"Payslip {self.employee_name} {self.run.period:%Y-%m}"


class PayslipLine(models.Model):
    class Code(models.TextChoices):
        BASE = "base", "Base salary"
        ALLOWANCE = "allowance", "Allowance"
        COMMISSION = "commission", "Commission"
        TAX = "tax", "Income tax"
        DEDUCTION = "deduction", "Deduction"
        ADJUSTMENT = "adjustment", "Adjustment"

    payslip = models.ForeignKey(Payslip, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=ComponentKind.choices)
    code = models.CharField(max_length=12, choices=Code.choices)
    name = models.CharField(max_length=200)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["payslip_id", "position"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="payroll_line_amount_ck")]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"
