"""The accountant's books pages in headless Chromium, at desktop (1280 px) and phone (390 px) widths."""
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_flows import _dealership, _user

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def books_month(site):
    """dealer1: an accountant, a 500.00 top-up of the dealership's wallet (posted from its event) and a
    1,200.00 cash sale with its invoice."""
    import datetime as dt

    from django_books import services as books
    from django_tenants.utils import schema_context

    from django_wallet import services as wallet
    from forecourt_core.events.services import events_relay
    from tenancy.services import membership_grant

    dealer1 = _dealership("dealer1")
    membership_grant(user=_user("ledger-keeper"), dealership=dealer1, role="accountant")
    membership_grant(user=_user("floor-staff"), dealership=dealer1, role="dealer_staff")
    wallet.deposit(account=wallet.account_for(dealer1), amount=Decimal("500.00"))  # committed, with its event
    events_relay()  # here rather than in the site's worker: the pages below find it posted
    with schema_context("dealer1"):
        books.profile_update(legal_name="First Motors Ltd", address="1 High Street", vat_number="GB999",
                             vat_rate="20")
        sale, _ = books.sale_post(key="walk-in:1", gross=Decimal("1200.00"), sold_on=dt.date.today(),
                                  description="2018 Volvo V60", customer_name="Ann Buyer", source_type="lead_sale",
                                  source_id=1, paid_into="cash")
    return {"base": f"http://dealer1.localhost:{site['port']}", "sale": sale}


def test_accountant_posts_reverses_and_reads_balanced_reports_at_desktop_width(books_month, new_page):
    base = books_month["base"]
    page = new_page()
    sign_in(page, base, "ledger-keeper", next_path="/books/")
    expect(page.get_by_role("heading", name="Books", exact=True)).to_be_visible()
    expect(page.locator("#pnl-income")).to_have_text("$1,000.00")

    page.get_by_label("Debit account").select_option("6900")
    page.get_by_label("Credit account").select_option("1000")
    page.get_by_label("Amount").fill("40.00")
    page.get_by_label("Memo").fill("Coffee for the showroom")
    page.get_by_role("button", name="Post entry").click()
    expect(page.get_by_text("posted.")).to_be_visible()
    expect(page.get_by_role("cell", name="6900 Other expenses")).to_be_visible()
    expect(page.get_by_role("cell", name="$40.00")).to_have_count(2)  # its debit and its credit

    page.get_by_role("button", name="Reverse this entry").click()
    expect(page.get_by_text("Reverses entry")).to_be_visible()
    expect(page.get_by_role("button", name="Reverse this entry")).to_have_count(0)  # a reversal stays

    page.get_by_role("link", name="Trial balance").click()
    expect(page.locator("#report-check")).to_have_text("Debits equal credits: $1,700.00.")
    page.get_by_role("link", name="Balance sheet").click()
    expect(page.locator("#report-check")).to_contain_text("Assets $1,700.00 = liabilities $200.00 + equity $1,500.00")
    page.get_by_role("link", name="Wallet reconciliation").click()
    expect(page.locator("#report-check")).to_have_text("The books agree with the wallet: $500.00.")
    page.get_by_role("link", name="VAT return").click()
    expect(page.locator("#report-check")).to_contain_text("Output VAT to declare: $200.00")
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download CSV").click()
    rows = Path(csv_download.value.path()).read_text().splitlines()
    assert rows[0] == "invoice_number,sold_on,description,net,vat_rate,vat,gross" and "2018 Volvo V60" in rows[1]

    page.goto(f"{base}/books/entries/{books_month['sale'].entry_id}/")
    expect(page.get_by_text("Invoice 1 to Ann Buyer")).to_be_visible()
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Invoice PDF").click()
    assert Path(pdf_download.value.path()).read_bytes().startswith(b"%PDF")


def test_the_books_fit_a_phone_and_the_vat_rate_is_the_accountants_to_set(books_month, new_page):
    base = books_month["base"]
    page = new_page(viewport={"width": 390, "height": 844})
    sign_in(page, base, "ledger-keeper", next_path="/books/reports/balance-sheet/")
    expect(page.locator("#report-check")).to_contain_text("Assets $1,700.00")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # wide tables scroll inside their box

    page.goto(f"{base}/books/settings/")
    expect(page.get_by_label("Legal name")).to_have_value("First Motors Ltd")
    page.get_by_label("VAT rate (%)").fill("5")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("VAT and invoice details saved.")).to_be_visible()
    expect(page.get_by_label("VAT rate (%)")).to_have_value("5.00")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    staff = new_page(viewport={"width": 390, "height": 844})
    sign_in(staff, base, "floor-staff", next_path="/books/")
    expect(staff.get_by_text("Your role in this dealership does not allow this page.")).to_be_visible()
    expect(staff.get_by_role("link", name="Books")).to_have_count(0)


def test_the_dashboard_shows_the_sales_revenue_of_profit_and_loss(books_month, new_page):
    """A sale booked offline counts on the dashboard as in the books: the same revenue on both pages."""
    base = books_month["base"]
    page = new_page()
    sign_in(page, base, "ledger-keeper", next_path="/")
    expect(page.locator("#sales-count")).to_have_text("1")
    revenue = page.locator("#sales-revenue").inner_text()
    assert revenue == "$1,000.00"  # 1,200.00 less 20 % VAT
    page.goto(f"{base}/books/reports/profit-and-loss/")
    expect(page.get_by_role("row", name="income 4000 Vehicle sales")).to_contain_text(revenue)
