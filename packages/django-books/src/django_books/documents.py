"""The books as documents: each report as a table (for CSV and pages) and a sale's invoice as a PDF."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from .models import VehicleSale


def to_csv(rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


def report_table(name: str, report: dict) -> list[list]:
    """The report as rows of cells, its header first: what its CSV holds."""
    if name == "trial-balance":
        return [["code", "name", "type", "debit", "credit"],
                *([r["code"], r["name"], r["type"], r["debit"], r["credit"]] for r in report["rows"]),
                ["", "total", "", report["total_debit"], report["total_credit"]]]
    if name == "profit-and-loss":
        return [["section", "code", "name", "amount"],
                *(["income", r["code"], r["name"], r["amount"]] for r in report["income"]),
                ["income", "", "total income", report["total_income"]],
                *(["expense", r["code"], r["name"], r["amount"]] for r in report["expenses"]),
                ["expense", "", "total expenses", report["total_expenses"]],
                ["", "", "net profit", report["net_profit"]]]
    if name == "balance-sheet":
        return [["section", "code", "name", "amount"],
                *(["asset", r["code"], r["name"], r["amount"]] for r in report["assets"]),
                ["asset", "", "total assets", report["total_assets"]],
                *(["liability", r["code"], r["name"], r["amount"]] for r in report["liabilities"]),
                ["liability", "", "total liabilities", report["total_liabilities"]],
                *(["equity", r["code"], r["name"], r["amount"]] for r in report["equity"]),
                ["equity", "", "earnings", report["earnings"]],
                ["equity", "", "total equity", report["total_equity"]]]
    if name == "general-ledger":
        return [["date", "entry", "memo", "source_type", "source_id", "debit", "credit", "balance"],
                ["", "", "opening balance", "", "", "", "", report["opening"]],
                *([r["date"], r["entry"], r["memo"], r["source_type"], r["source_id"], r["debit"], r["credit"],
                   r["balance"]] for r in report["rows"]),
                ["", "", "closing balance", "", "", "", "", report["closing"]]]
    if name == "vat-return":
        return [["invoice_number", "sold_on", "description", "net", "vat_rate", "vat", "gross"],
                *([r["invoice_number"], r["sold_on"], r["description"], r["net"], r["vat_rate"], r["vat"],
                   r["gross"]] for r in report["invoices"]),
                ["", "", "declared", report["net_sales"], "", report["output_vat"], ""]]
    if name == "vehicle-margins":
        return [["invoice_number", "vehicle_id", "description", "sold_on", "net", "cost", "margin"],
                *([r["invoice_number"], r["vehicle_id"], r["description"], r["sold_on"], r["net"], r["cost"],
                   r["margin"]] for r in report["rows"])]
    if name == "wallet-reconciliation":
        return [["transaction", "kind", "amount", "created_at"],
                ["books", "", report["books"], ""], ["wallet", "", report["wallet"], ""],
                ["difference", "", report["difference"], ""],
                *([r["transaction"], r["kind"], r["amount"], r["created_at"]] for r in report["unbooked"])]
    raise KeyError(name)


def _latin1(text) -> str:
    # The PDF core fonts are Latin-1 only; other characters are shown as "?" rather than failing.
    return str(text).encode("latin-1", "replace").decode("latin-1")


def invoice_pdf(sale: VehicleSale) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"Invoice {sale.invoice_number}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1(sale.seller_name or "Invoice"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for line in (sale.seller_address or "").splitlines():
        pdf.cell(0, 5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    if sale.seller_vat_number:
        pdf.cell(0, 5, _latin1(f"VAT number: {sale.seller_vat_number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, f"Invoice {sale.invoice_number}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    for label, value in (("Date", sale.sold_on.isoformat()), ("Customer", sale.customer_name or "-")):
        pdf.cell(40, 7, label)
        pdf.cell(0, 7, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.cell(140, 7, _latin1(sale.description))
    pdf.cell(0, 7, str(sale.net), align="R", new_x="LMARGIN", new_y="NEXT")
    vat_label = f"VAT {sale.vat_rate}%" if sale.vat_rate else "VAT exempt / zero-rated"
    pdf.set_font("Helvetica", "B", 11)
    for label, value in (("Net", sale.net), (vat_label, sale.vat), ("Total", sale.gross)):
        pdf.cell(140, 7, label)
        pdf.cell(0, 7, str(value), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
