"""Payroll runs through the services: hand-computed payslips, totals, state machine, constraints."""
import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from django_payroll import errors, services
from django_payroll.models import PayrollRun, Payslip
from tests import hooks
from tests.conftest import NOV

pytestmark = pytest.mark.django_db

TRANSPORT = {"name": "Transport", "kind": "earning", "amount": D("250.00")}
PENSION = {"name": "Pension", "kind": "deduction", "amount": D("100.00"), "prorate": False}


@pytest.fixture
def staff(make_employee, standard_bands):
    """Four employees whose November payslips are computed by hand in each test's comments."""
    full = make_employee(first_name="Ann", department="Sales", components=[TRANSPORT, PENSION])
    hooks.COMMISSIONS[full.pk] = D("123.45")
    joiner = make_employee(first_name="Ben", department="Sales", base="1000.00", hire_date=dt.date(2026, 11, 20),
                           components=[{"name": "Meals", "kind": "earning", "amount": D("50.00")}])
    leaver = make_employee(first_name="Cid", department="Workshop", base="2500.00", hire_date=dt.date(2019, 5, 1),
                           components=[PENSION])
    services.employee_terminate(employee=leaver, termination_date=dt.date(2026, 11, 10))
    raised = make_employee(first_name="Dot", department="Workshop")
    services.salary_create(employee=raised, effective_from=dt.date(2026, 11, 11), base_salary=D("3600.00"))
    # Not on November's payroll: left in October, joins in December, has no salary.
    gone = make_employee(first_name="Eve", hire_date=dt.date(2020, 1, 1))
    services.employee_terminate(employee=gone, termination_date=dt.date(2026, 10, 31))
    make_employee(first_name="Fay", hire_date=dt.date(2026, 12, 1))
    make_employee(first_name="Gus", base=None)
    return {"full": full, "joiner": joiner, "leaver": leaver, "raised": raised}


def test_calculate_writes_hand_computed_payslips_and_run_totals(staff):
    run = services.run_calculate(run=services.run_create(period=dt.date(2026, 11, 17)))
    assert run.period == NOV and run.status == PayrollRun.Status.CALCULATED
    slips = {p.employee_id: p for p in run.payslips.prefetch_related("lines")}
    expected = {  # (gross, deductions, net, days paid)
        staff["full"].pk: (D("3373.45"), D("374.69"), D("2998.76"), 30),
        staff["joiner"].pk: (D("385.00"), D("0.00"), D("385.00"), 11),
        staff["leaver"].pk: (D("833.33"), D("100.00"), D("733.33"), 10),
        staff["raised"].pk: (D("3400.00"), D("280.00"), D("3120.00"), 30),
    }
    assert {pk: (p.gross, p.total_deductions, p.net, p.days_paid) for pk, p in slips.items()} == expected
    assert [(ln.code, ln.amount) for ln in slips[staff["full"].pk].lines.all()] == [
        ("base", D("3000.00")), ("allowance", D("250.00")), ("commission", D("123.45")),
        ("tax", D("274.69")), ("deduction", D("100.00"))]
    # Totals are the exact sum of the rounded payslips (hand sums).
    assert (run.total_gross, run.total_deductions, run.total_net) == (D("7991.78"), D("754.69"), D("7237.09"))
    assert sum(p.net for p in slips.values()) == run.total_net
    assert slips[staff["full"].pk].department == "Sales"


def test_recalculate_replaces_payslips(staff):
    run = services.run_calculate(run=services.run_create(period=NOV))
    hooks.COMMISSIONS[staff["full"].pk] = D("0")
    run = services.run_calculate(run=run)
    assert Payslip.objects.filter(run=run).count() == 4
    assert run.total_gross == D("7991.78") - D("123.45")


def test_one_regular_run_per_period_is_a_database_constraint(db):
    services.run_create(period=NOV)
    with pytest.raises(errors.RunExists):
        services.run_create(period=dt.date(2026, 11, 30))
    with pytest.raises(IntegrityError), transaction.atomic():
        PayrollRun.objects.create(period=NOV, kind="regular")  # bypassing the service
    assert services.run_create(period=NOV, kind="adjustment").kind == "adjustment"


def test_payslip_is_unique_per_run_and_employee(staff):
    run = services.run_calculate(run=services.run_create(period=NOV))
    slip = run.payslips.first()
    slip.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        slip.save()


def test_state_machine(staff):
    run = services.run_create(period=NOV)
    with pytest.raises(errors.InvalidTransition):
        services.run_approve(run=run)
    with pytest.raises(errors.InvalidTransition):
        services.run_pay(run=run)
    run = services.run_approve(run=services.run_calculate(run=run))
    assert run.status == "approved"
    with pytest.raises(errors.InvalidTransition):
        services.run_calculate(run=run)


def test_empty_run_cannot_be_approved(db):
    run = services.run_calculate(run=services.run_create(period=NOV))
    with pytest.raises(errors.EmptyRun):
        services.run_approve(run=run)


def test_negative_net_and_missing_wallet_user_are_refused(make_employee):
    make_employee(base="100.00", components=[{"name": "Loan", "kind": "deduction", "amount": D("150.00")}])
    run = services.run_create(period=NOV)
    with pytest.raises(errors.NegativeNet):
        services.run_calculate(run=run)


def test_wallet_payout_needs_a_user(make_employee):
    make_employee(user=False)
    with pytest.raises(errors.MissingPayoutAccount):
        services.run_calculate(run=services.run_create(period=NOV))


def test_invalid_commission_from_hook_is_refused(make_employee):
    employee = make_employee()
    hooks.COMMISSIONS[employee.pk] = D("1.005")
    with pytest.raises(errors.InvalidCommission):
        services.run_calculate(run=services.run_create(period=NOV))
    hooks.COMMISSIONS[employee.pk] = 12.5  # a float is never money
    with pytest.raises(errors.InvalidCommission):
        services.run_calculate(run=services.run_create(period=dt.date(2026, 12, 1)))


def test_adjustment_run_pays_only_its_corrections(make_employee):
    employee = make_employee()
    run = services.run_create(period=NOV, kind="adjustment", note="Missed overtime")
    services.run_add_adjustment(run=run, employee=employee, kind="earning", amount=D("80.00"), description="Overtime")
    services.run_add_adjustment(run=run, employee=employee, kind="deduction", amount=D("5.50"), description="Fee")
    run = services.run_calculate(run=run)
    slip = run.payslips.get()
    assert (slip.gross, slip.total_deductions, slip.net) == (D("80.00"), D("5.50"), D("74.50"))
    assert run.total_net == D("74.50")
    regular = services.run_create(period=NOV)
    with pytest.raises(errors.InvalidTransition):
        services.run_add_adjustment(run=regular, employee=employee, kind="earning", amount=D("1"), description="x")
    with pytest.raises(errors.InvalidAmount):
        services.run_add_adjustment(run=run, employee=employee, kind="earning", amount=D("1.001"), description="x")


def test_tax_bands_must_cover_every_amount(db):
    with pytest.raises(errors.InvalidTaxBands):
        services.tax_bands_replace(bands=[{"lower": D("0"), "upper": D("100"), "rate": D("5")},
                                          {"lower": D("200"), "upper": None, "rate": D("10")}])
    with pytest.raises(errors.InvalidTaxBands):
        services.tax_bands_replace(bands=[{"lower": D("0"), "upper": D("100"), "rate": D("5")}])
    with pytest.raises(errors.InvalidTaxBands):
        services.tax_bands_replace(bands=[{"lower": D("0"), "upper": None, "rate": D("101")}])
