"""Payslip arithmetic against hand-computed figures (no database)."""
import datetime as dt
from decimal import Decimal as D

from django_payroll.calculation import Band, Component, Structure, compute_slip, marginal_tax

NOV = dt.date(2026, 11, 1)  # 30 days
BANDS = [Band(D("0"), D("1000.00"), D("0")), Band(D("1000.00"), D("3000.00"), D("10")),
         Band(D("3000.00"), None, D("20"))]
TRANSPORT = Component("Transport", "earning", D("250.00"))
PENSION = Component("Pension", "deduction", D("100.00"), prorate=False)


def lines(slip):
    return [(ln.code, ln.amount) for ln in slip.lines]


def test_full_month_with_components_commission_and_tax_bands():
    # gross 3000 + 250 + 123.45 = 3373.45; tax 0 + 200.00 + 373.45 * 20 % (74.69) = 274.69
    slip = compute_slip(period=NOV, hire_date=dt.date(2020, 1, 1), termination_date=None, bands=BANDS,
                        structures=[Structure(dt.date(2020, 1, 1), D("3000.00"), [TRANSPORT, PENSION])],
                        commission=D("123.45"))
    assert lines(slip) == [("base", D("3000.00")), ("allowance", D("250.00")), ("commission", D("123.45")),
                           ("tax", D("274.69")), ("deduction", D("100.00"))]
    assert (slip.gross, slip.total_deductions, slip.net) == (D("3373.45"), D("374.69"), D("2998.76"))
    assert (slip.days_paid, slip.days_in_period) == (30, 30)


def test_joiner_is_pro_rated_by_calendar_days_and_rounded_half_up():
    # joined 20 Nov: 11/30 days; 1000 * 11/30 = 366.666.. -> 366.67; 50 * 11/30 = 18.333.. -> 18.33
    slip = compute_slip(period=NOV, hire_date=dt.date(2026, 11, 20), termination_date=None, bands=BANDS,
                        structures=[Structure(dt.date(2026, 11, 20), D("1000.00"),
                                              [Component("Meals", "earning", D("50.00"))])])
    assert lines(slip) == [("base", D("366.67")), ("allowance", D("18.33"))]
    assert (slip.gross, slip.net, slip.days_paid) == (D("385.00"), D("385.00"), 11)


def test_leaver_pro_rated_and_non_prorated_deduction_taken_in_full():
    # left 10 Nov: 2500 * 10/30 = 833.33; pension (not pro-rated) 100.00; no tax under 1000
    slip = compute_slip(period=NOV, hire_date=dt.date(2019, 5, 1), termination_date=dt.date(2026, 11, 10),
                        bands=BANDS, structures=[Structure(dt.date(2019, 5, 1), D("2500.00"), [PENSION])])
    assert lines(slip) == [("base", D("833.33")), ("deduction", D("100.00"))]
    assert slip.net == D("733.33")


def test_raise_applies_from_its_date():
    # 3000 for 1-10 Nov (1000.00) + 3600 for 11-30 Nov (2400.00) = 3400.00; tax 200 + 400 * 20 % = 280.00
    slip = compute_slip(period=NOV, hire_date=dt.date(2020, 1, 1), termination_date=None, bands=BANDS,
                        structures=[Structure(dt.date(2020, 1, 1), D("3000.00")),
                                    Structure(dt.date(2026, 11, 11), D("3600.00")),
                                    Structure(dt.date(2026, 12, 1), D("9999.00"))])
    assert [ln.amount for ln in slip.lines] == [D("1000.00"), D("2400.00"), D("280.00")]
    assert slip.lines[0].name == "Base salary (01 Nov-10 Nov, 10/30 days)"
    assert slip.net == D("3120.00")


def test_half_cent_rounds_up_not_to_even():
    # 100.05 * 15/30 = 50.025 -> 50.03 (banker's rounding would give 50.02)
    slip = compute_slip(period=NOV, hire_date=dt.date(2026, 11, 16), termination_date=None, bands=[],
                        structures=[Structure(dt.date(2026, 1, 1), D("100.05"))])
    assert slip.gross == D("50.03")
    assert marginal_tax(D("1000.05"), BANDS) == D("0.01")  # 0.005 -> 0.01


def test_nothing_earned_outside_employment_or_salary():
    structures = [Structure(dt.date(2026, 12, 1), D("1000.00"))]
    assert compute_slip(period=NOV, hire_date=dt.date(2026, 1, 1), termination_date=None, bands=BANDS,
                        structures=structures) is None
    assert compute_slip(period=NOV, hire_date=dt.date(2026, 12, 5), termination_date=None, bands=BANDS,
                        structures=[Structure(dt.date(2026, 12, 5), D("1000.00"))]) is None


def test_february_has_its_own_day_count():
    slip = compute_slip(period=dt.date(2027, 2, 1), hire_date=dt.date(2027, 2, 15), termination_date=None,
                        bands=[], structures=[Structure(dt.date(2027, 2, 15), D("2800.00"))])
    assert (slip.days_paid, slip.days_in_period, slip.gross) == (14, 28, D("1400.00"))
