"""Who may open which page: the page half of docs/permissions.md, beside the API table of
permission_table.py (which renders both). tests/reliability/test_page_matrix.py opens each page as every
role on each host and fails on any difference, and also when a page route exists that the table does not list.

A row is one GET of a server-rendered page. "dealer" rows are asked on dealer1's host (own: the dealership
roles are members of dealer1) and on dealer2's host (other: the same users, not members there), each with
that host's own objects; "public" rows on the marketplace host. A cell is the status: 200 the page, 302 the
sign-in page (anonymous visitors are sent there), 403 the refusal page (a role without the page's
permission, or on a dealership host not one's own), 404 not served on this host.
"""
from __future__ import annotations

from dataclasses import dataclass

from tests.reliability.permission_table import MEMBERS, ROLES, SIGNED_IN


@dataclass(frozen=True)
class Page:
    host: str  # "public" | "dealer"
    path: str  # {name}s are world ids (tests/reliability/matrix_world.py World.params)
    own: dict  # role -> status on its own dealership's host (dealer rows) or on the marketplace
    note: str = ""

    def expected(self, role: str, where: str) -> int:
        """where: "public", "own" (dealer1's host) or "other" (dealer2's host)."""
        if where == "other" and role in MEMBERS:
            return 403  # not a member there: refused at the door, whatever their role at dealer1
        return self.own[role]


def may(*allowed: str, anon: int = 302, buyer: int = 403) -> dict:
    """200 for `allowed` (the platform admin always), 403 for the other signed-in roles, `anon` for anonymous."""
    table = dict.fromkeys(SIGNED_IN, 403)
    table.update(dict.fromkeys((*allowed, "admin"), 200))
    table.update(anonymous=anon, buyer=200 if "buyer" in allowed else buyer)
    assert set(table) == set(ROLES), table
    return table


ALL_MEMBERS = MEMBERS
INVENTORY = ("dealer", "dealer_staff")
STOCK_READERS = (*INVENTORY, "broker", "sales_agent")  # agents and brokers read the stock they sell
LEAD_WORKERS = ("dealer", "dealer_staff", "broker", "sales_agent")
SALES = ("dealer", "dealer_staff", "sales_agent")
COMMISSIONS = ("dealer", "dealer_staff", "accountant")
MONEY = ("dealer", "accountant")
MEMBER_MANAGERS = ("dealer", "hr")
EMPLOYEES = ("dealer", "accountant", "hr")
PAYROLL = ("dealer", "accountant")
BOOKS = ("dealer", "accountant")
VEHICLE_COSTS = (*BOOKS, "dealer_staff")
REPORTS = ("trial-balance", "profit-and-loss", "balance-sheet", "general-ledger", "vat-return", "vehicle-margins",
           "wallet-reconciliation")


def _dealer_pages() -> list[Page]:
    d = "dealer"
    return [
        Page(d, "/", may(*ALL_MEMBERS), note="each role's own landing page"),
        Page(d, "/inventory/", may(*STOCK_READERS), note="agents and brokers read it; dealer and staff edit"),
        Page(d, "/inventory/new/", may(*INVENTORY)),
        Page(d, "/leads/", may(*LEAD_WORKERS), note="managers see every lead, agents and brokers their own"),
        Page(d, "/leads/new/", may(*LEAD_WORKERS)),
        Page(d, "/leads/{lead}/", {**may(*LEAD_WORKERS), "broker": 404},
             note="a lead assigned to the sales agent: another agent's lead is not found for a broker"),
        Page(d, "/my-work/", may(*LEAD_WORKERS), note="my leads, my sales, my commissions"),
        Page(d, "/sales/", may(*SALES), note="the accountant reads sales in the books (journal, VAT return)"),
        Page(d, "/commissions/", may(*COMMISSIONS), note="rules: dealer and staff set them; dealer and "
             "accountant pay; agents and brokers read their own on /my-work/"),
        Page(d, "/money/", may(*MONEY), note="the dealership's wallet: balance, held, available, statement"),
        Page(d, "/money/statement.csv", may(*MONEY)),
        Page(d, "/members/", may(*MEMBER_MANAGERS), note="HR manages the staff roles only"),
        Page(d, "/employees/", may(*EMPLOYEES)),
        Page(d, "/employees/{employee}/", may(*EMPLOYEES)),
        Page(d, "/payroll/", may(*PAYROLL)),
        Page(d, "/payroll/{run}/", may(*PAYROLL)),
        Page(d, "/payslips/", may(*ALL_MEMBERS), note="one's own payslips (none for most roles)"),
        Page(d, "/books/", may(*BOOKS)),
        Page(d, "/books/entries/{entry}/", may(*BOOKS)),
        Page(d, "/books/accounts/", may(*BOOKS)),
        *(Page(d, f"/books/reports/{name}/", may(*BOOKS)) for name in REPORTS),
        Page(d, "/books/settings/", may(*BOOKS)),
        Page(d, "/books/vehicles/{vehicle}/", may(*VEHICLE_COSTS), note="a car's costs and margin; staff book costs"),
        Page(d, "/books/invoices/{invoice}.pdf", may(*BOOKS)),
    ]


def _public_pages() -> list[Page]:
    p = "public"
    return [
        Page(p, "/me/wallet/", may(*SIGNED_IN), note="one's own wallet"),
        Page(p, "/me/trading/", may(*SIGNED_IN)),
        Page(p, "/staff/verification/", may(), note="platform staff only"),
        Page(p, "/staff/credit/", may()),
        Page(p, "/staff/dealerships/", may()),
    ]


PAGES: list[Page] = [*_public_pages(), *_dealer_pages()]

# Page routes that are not pages to open: form posts (POST only), redirects and files, and the marketplace's
# own pages (tests/test_pages.py); the coverage test checks the table and these together name every route.
NOT_PAGES = {
    "/cars/{}/", "/cars/{}/buy/", "/cars/{}/save/", "/cars/{}/{}/", "/cars/{}/{}/buy/", "/cars/{}/{}/save/",
    "/cars/{}/{}/contact/", "/accounts/signup/", "/accounts/login/", "/accounts/logout/", "/me/cars/",
    "/me/cars/new/", "/me/cars/{}/", "/me/cars/{}/edit/", "/me/cars/{}/action/", "/me/purchases/", "/me/saved/",
    "/me/notifications/", "/me/wallet/statement.csv", "/me/wallet/transfer/", "/me/wallet/credit/",
    "/me/wallet/charge/", "/staff/verification/{}/", "/staff/verification/{}/{}/", "/inventory/{}/edit/",
    "/inventory/{}/action/", "/leads/{}/win/", "/leads/{}/move/", "/leads/{}/assign/", "/accounting/",
    "/commissions/rules/", "/commissions/{}/pay/", "/money/pay/", "/members/{}/", "/employees/{}/salary/",
    "/payroll/{}/action/", "/payslips/{}.pdf", "/media/{}", "/healthz", "/metrics",
}


def _cell(page: Page, role: str) -> str:
    if page.host == "public":
        return str(page.expected(role, "public"))
    own, other = page.expected(role, "own"), page.expected(role, "other")
    return f"{own}" if own == other else f"{own} / {other}"


def render_markdown_lines(short: dict) -> list[str]:
    lines = [
        "## Pages: who may open which",
        "",
        "The server-rendered pages, opened (GET) by every role; the table is the test",
        "`tests/reliability/test_page_matrix.py` (one request per cell), generated from",
        "`sites/demo/tests/reliability/page_table.py`. 200: the page; 302: anonymous visitors go to the sign-in",
        "page; 403: the refusal page (the role lacks the page's permission, or, on another dealership's host, the",
        "caller is not a member there). Dealership rows show `own / other` as above. What a page then offers",
        "(buttons, forms) follows the same roles as the API operations behind it.",
        "",
    ]
    for title, host in (("Marketplace host pages", "public"), ("Dealership host pages", "dealer")):
        lines += [f"### {title}", "", "| page | " + " | ".join(short[r] for r in ROLES) + " | note |",
                  "| --- | " + " | ".join("---" for _ in ROLES) + " | --- |"]
        for page in (p for p in PAGES if p.host == host):
            row = [f"`{page.path}`", *(_cell(page, r) for r in ROLES), page.note.replace("|", "\\|")]
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
    return lines
