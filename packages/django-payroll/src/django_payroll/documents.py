"""Payslip documents (CSV and PDF) and CSV export of report rows."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from . import conf
from .models import Payslip


def payment_method(payslip: Payslip) -> str:
    """How the net pay reaches the employee: their wallet, or the bank account (last four characters)."""
    employee = payslip.employee
    if employee.payout_target == employee.PayoutTarget.BANK:
        tail = employee.bank_account[-4:]
        return f"Bank transfer to the account ending {tail}" if tail else "Bank transfer"
    return "Forecourt wallet"


def pay_date(payslip: Payslip) -> str:
    """The day the run was paid, or that it is not paid yet."""
    paid_at = payslip.run.paid_at
    return f"{paid_at:%Y-%m-%d}" if paid_at else "not paid yet"


def payslip_rows(payslip: Payslip) -> list[list[str]]:
    run = payslip.run
    rows = [
        ["employer", conf.employer_name()],
        ["employee", payslip.employee_name],
        ["department", payslip.department],
        ["position", payslip.position],
        ["period", f"{run.period:%Y-%m}"],
        ["pay_date", pay_date(payslip)],
        ["payment_method", payment_method(payslip)],
        ["run", f"{run.pk} ({run.kind})"],
        ["days_paid", f"{payslip.days_paid}/{payslip.days_in_period}"],
        [],
        ["kind", "code", "name", "amount"],
    ]
    rows += [[ln.kind, ln.code, ln.name, str(ln.amount)] for ln in payslip.lines.all()]
    rows += [[], ["gross", str(payslip.gross)], ["deductions", str(payslip.total_deductions)],
             ["net", str(payslip.net)]]
    return rows


def to_csv(rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


def payslip_csv(payslip: Payslip) -> str:
    return to_csv(payslip_rows(payslip))


RUN_COLUMNS = ["payslip", "employee", "department", "payout_target", "bank_account", "days_paid", "gross",
               "deductions", "net"]


def run_csv(payslips: Iterable[Payslip]) -> str:
    """One row per payslip of a run: the payment report (bank payouts included)."""
    return to_csv([RUN_COLUMNS, *(
        [p.pk, p.employee_name, p.department, p.employee.payout_target, p.employee.bank_account,
         f"{p.days_paid}/{p.days_in_period}", p.gross, p.total_deductions, p.net]
        for p in payslips
    )])


def _latin1(text: str) -> str:
    # The PDF core fonts are Latin-1 only; other characters are shown as "?" rather than failing.
    return str(text).encode("latin-1", "replace").decode("latin-1")


def payslip_pdf(payslip: Payslip) -> bytes:
    from fpdf import FPDF

    run = payslip.run
    money = conf.format_money()
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"Payslip {payslip.employee_name} {run.period:%Y-%m}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1(f"Payslip {run.period:%B %Y}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    for label, value in [
        ("Employer", conf.employer_name() or "-"),
        ("Employee", payslip.employee_name),
        ("Department", payslip.department or "-"),
        ("Position", payslip.position or "-"),
        ("Period", f"{run.period:%B %Y}"),
        ("Pay date", pay_date(payslip)),
        ("Payment method", payment_method(payslip)),
        ("Days paid", f"{payslip.days_paid} of {payslip.days_in_period}"),
        ("Run", f"{run.pk} ({run.get_kind_display()})"),
    ]:
        pdf.cell(40, 7, _latin1(label))
        pdf.cell(0, 7, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for title, kind in (("Earnings", "earning"), ("Deductions", "deduction")):
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        for line in payslip.lines.all():
            if line.kind == kind:
                pdf.cell(140, 7, _latin1(line.name))
                pdf.cell(0, 7, _latin1(money(line.amount)), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 11)
    for label, value in (("Gross", payslip.gross), ("Deductions", payslip.total_deductions),
                         ("Net pay", payslip.net)):
        pdf.cell(140, 7, label)
        pdf.cell(0, 7, _latin1(money(value)), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
