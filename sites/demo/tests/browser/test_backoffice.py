"""The dealership's back office in Chromium, at a phone's width and a desktop's: members, money, payroll,
commissions and leads, each role doing its own part and reading the result on the page."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_flows import _dealership, _user

pytestmark = pytest.mark.timeout(180)
WIDTHS = [pytest.param({"width": 390, "height": 844}, id="390px"),
          pytest.param({"width": 1280, "height": 900}, id="1280px")]


def _member(username, role, slug="dealer1", **extra):
    from tenancy.services import membership_grant

    user = _user(username, **extra)
    membership_grant(user=user, dealership=_dealership(slug), role=role)
    return user


def _lead(contact_name, slug="dealer1", **extra):
    from django_tenants.utils import schema_context

    from django_leads import services as leads

    with schema_context(slug):
        return leads.lead_create(car=extra.pop("car", None), contact_name=contact_name, by=None, **extra)


def _no_sideways_scroll(page):
    width = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert width <= 1, f"the page scrolls sideways by {width}px"


@pytest.mark.parametrize("viewport", WIDTHS)
def test_hr_adds_a_sales_agent_by_email_who_becomes_assignable_and_the_dealer_deactivates_them(
        site, new_page, viewport):
    port = site["port"]
    base = f"http://dealer1.localhost:{port}"
    _member("boss", "dealer")
    _member("people", "hr")
    _user("newbie", email="newbie@example.com")

    hr = new_page(viewport=viewport)
    sign_in(hr, base, "people", next_path="/members/")
    expect(hr.get_by_role("heading", name="Members", exact=True)).to_be_visible()
    expect(hr.get_by_label("Role", exact=True).locator("option")).to_have_text(
        ["Dealer staff", "Broker", "Sales agent"])  # HR gives staff roles only
    hr.get_by_label("Username or e-mail").fill("newbie@example.com")
    hr.get_by_label("Role", exact=True).select_option(label="Sales agent")
    hr.get_by_role("button", name="Add member").click()
    expect(hr.get_by_text("newbie added as Sales agent.")).to_be_visible()
    row = hr.locator('tr[data-member="newbie"]')
    expect(row.locator(".member-role")).to_have_text("Sales agent")
    expect(row.locator(".member-status")).to_have_text("Active")
    # HR sees the dealer but cannot change them.
    expect(hr.locator('tr[data-member="boss"]').get_by_role("button")).to_have_count(0)
    _no_sideways_scroll(hr)

    dealer = new_page(viewport=viewport)
    sign_in(dealer, base, "boss", next_path=f"/leads/{_lead('Walk In').pk}/")
    expect(dealer.get_by_label("Assign to").locator("option", has_text="newbie")).to_have_count(1)
    dealer.goto(f"{base}/members/")
    row = dealer.locator('tr[data-member="newbie"]')
    expect(row.locator(".member-role")).to_have_text("Sales agent")
    row.get_by_role("button", name="Deactivate").click()
    expect(dealer.get_by_text("newbie deactivated.")).to_be_visible()
    expect(dealer.locator('tr[data-member="newbie"] .member-status')).to_have_text("Deactivated")
    _no_sideways_scroll(dealer)


@pytest.mark.parametrize("viewport", WIDTHS)
def test_agent_sells_accountant_pays_the_commission_and_everyone_reads_it_on_their_page(site, new_page, viewport):
    from decimal import Decimal

    from django_tenants.utils import schema_context

    from django_car_listing import services as cars
    from django_wallet import services as wallet

    port = site["port"]
    base = f"http://dealer1.localhost:{port}"
    boss = _member("day-dealer", "dealer")
    _member("day-agent", "sales_agent")
    _member("day-accountant", "accountant")
    dealer1 = _dealership("dealer1")
    wallet.deposit(account=wallet.account_for(dealer1), amount=Decimal("2000.00"), memo="Opening float")
    with schema_context("dealer1"):
        cars.car_create(actor=boss, store_key="dealer1", make="Honda", model="Jazz", year=2016,
                        price=Decimal("8000.00"), vin="1M8GDM9AXKP042788")

    # The dealer sets the sales agents' commission.
    dealer = new_page(viewport=viewport)
    sign_in(dealer, base, "day-dealer", next_path="/commissions/")
    dealer.get_by_label("Who").select_option(label="Every sales agent")
    dealer.get_by_label("Kind").select_option(label="Flat amount per sale")
    dealer.get_by_label("Percent or amount").fill("120.00")
    dealer.get_by_role("button", name="Set rule").click()
    expect(dealer.get_by_text("Every sales agent earns 120.00 per sale.")).to_be_visible()

    # The agent takes a walk-in, works it and closes it at an agreed price.
    agent = new_page(viewport=viewport)
    sign_in(agent, base, "day-agent")
    expect(agent.locator("#my-open-leads")).to_have_text("0")
    agent.get_by_role("link", name="New lead").first.click()
    agent.get_by_label("Contact name").fill("Walter Walkin")
    agent.get_by_label("Car").select_option(label="2016 Honda Jazz · 8000.00")
    agent.get_by_role("button", name="Create lead").click()
    expect(agent.get_by_text("assigned to day-agent.")).to_be_visible()
    agent.goto(f"{base}/leads/")
    card = agent.locator(".lead-card", has_text="Walter Walkin")
    for target in ("Contacted", "Qualified", "Negotiating"):
        card.get_by_role("button", name=f"Move to {target}").click()
        expect(agent.locator(f'[data-status="{target.lower()}"] .lead-card', has_text="Walter Walkin")).to_have_count(1)
    card.get_by_role("button", name="Move to Won").click()
    expect(agent.locator("#no-commission-rule")).to_have_count(0)
    agent.get_by_label("Final price").fill("7800.00")
    agent.get_by_label("I confirm the buyer has agreed to this price").check()
    agent.get_by_role("button", name="Confirm sale").click()
    expect(agent.get_by_text("won: sold for 7800.00")).to_be_visible()
    expect(agent.locator('[data-status="won"] .lead-card', has_text="Walter Walkin")).to_have_count(1)
    _no_sideways_scroll(agent)

    # The accountant pays the commission and sees it leave the dealership's money.
    acc = new_page(viewport=viewport)
    sign_in(acc, base, "day-accountant", next_path="/commissions/")
    row = acc.locator("tr", has_text="day-agent")
    expect(row.locator(".commission-status")).to_have_text("Accrued")
    row.get_by_role("button", name="Pay 120.00").click()
    expect(acc.get_by_text("Commission of 120.00 paid to day-agent.")).to_be_visible()
    expect(acc.locator("tr", has_text="day-agent").locator(".commission-status")).to_contain_text("Paid")
    acc.get_by_role("link", name="Money").click()
    expect(acc.locator("#money-balance")).to_contain_text("1880.00")
    expect(acc.locator(".entry-kind").first).to_have_text("Commission paid")
    _no_sideways_scroll(acc)

    # The agent's home page and "My work" show the sale and the commission paid.
    agent.goto(f"{base}/")
    expect(agent.locator("#my-sales-count")).to_have_text("1")
    expect(agent.locator("#my-commission-paid")).to_have_text("120.00")
    agent.get_by_role("link", name="My work", exact=True).click()
    expect(agent.locator(".my-commissions .commission-status")).to_have_text(["Paid"])
    _no_sideways_scroll(agent)


@pytest.mark.parametrize("viewport", WIDTHS)
def test_dealer_staff_reopens_a_lost_lead_and_hands_it_to_a_broker_who_finds_it_in_their_work(
        site, new_page, viewport):
    from django_tenants.utils import schema_context

    from django_leads import services as leads

    port = site["port"]
    base = f"http://dealer1.localhost:{port}"
    _member("floor-staff", "dealer_staff")
    broker = _member("deal-broker", "broker")
    with schema_context("dealer1"):
        lost = leads.lead_create(car=None, contact_name="Lapsed Larry", agent=broker)
        leads.lead_update_status(lead=lost, status="lost", lost_reason="went quiet")

    brk = new_page(viewport=viewport)
    sign_in(brk, base, "deal-broker")
    expect(brk.locator("#my-open-leads")).to_have_text("0")
    brk.goto(f"{base}/leads/")
    expect(brk.locator(".lead-card", has_text="Lapsed Larry").get_by_role("button")).to_have_count(0)  # a manager's

    staff = new_page(viewport=viewport)
    sign_in(staff, base, "floor-staff", next_path="/leads/")
    staff.locator(".lead-card", has_text="Lapsed Larry").get_by_role("button", name="Move to Contacted").click()
    expect(staff.get_by_text(f"Lead #{lost.pk} moved to contacted.")).to_be_visible()
    expect(staff.locator('[data-status="contacted"] .lead-card', has_text="Lapsed Larry")).to_have_count(1)
    _no_sideways_scroll(staff)

    brk.goto(f"{base}/")
    expect(brk.locator("#my-open-leads")).to_have_text("1")
    brk.get_by_role("link", name="My work", exact=True).click()
    expect(brk.locator(".my-leads tr", has_text="Lapsed Larry")).to_contain_text("Contacted")
    _no_sideways_scroll(brk)


@pytest.mark.parametrize("viewport", WIDTHS)
def test_a_trader_moves_money_to_the_desk_sees_a_rejected_buy_with_its_reason_and_moves_money_back(
        site, new_page, viewport):
    from datetime import UTC, datetime
    from decimal import Decimal

    from django_trading import services as trading

    base = site["base"]
    _user("desk-trader", deposit="1000.00")
    price = Decimal("10.00")
    trading.bars_ingest(bars=[{"ticker": "FCST", "open": price, "high": price, "low": price, "close": price,
                               "volume": 1000, "timestamp": datetime(2026, 1, 2, tzinfo=UTC)}])
    page = new_page(viewport=viewport)
    sign_in(page, base, "desk-trader", next_path="/me/trading/")
    expect(page.locator("#wallet-available")).to_have_text("$1,000.00")
    page.get_by_label("Amount", exact=True).fill("100.00")
    page.get_by_role("button", name="To trading").click()
    expect(page.get_by_text("100.00 moved to your trading account.")).to_be_visible()
    expect(page.locator("#trading-cash")).to_have_text("$100.00")
    expect(page.locator("#wallet-available")).to_have_text("$900.00")

    page.get_by_label("Stock").select_option("FCST")
    page.get_by_label("Shares").fill("50")  # 500.00 with 100.00 of cash
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_text("Order accepted")).to_be_visible()
    for _ in range(30):  # the worker settles it; the desk says why it was refused
        page.reload()
        if page.locator("#rejected-orders").count():
            break
        page.wait_for_timeout(500)
    expect(page.locator("#rejected-orders")).to_contain_text("Rejected: buy 50 FCST: Insufficient funds.")

    page.get_by_label("Amount", exact=True).fill("40.00")
    page.get_by_role("button", name="Back to my wallet").click()
    expect(page.get_by_text("40.00 moved back to your wallet.")).to_be_visible()
    expect(page.locator("#trading-cash")).to_have_text("$60.00")
    expect(page.locator("#wallet-available")).to_have_text("$940.00")
    page.get_by_label("Amount", exact=True).fill("61.00")
    page.get_by_role("button", name="Back to my wallet").click()
    expect(page.locator(".msg-error[data-code=\"insufficient_funds\"]")).to_contain_text("too low")
    _no_sideways_scroll(page)


@pytest.mark.parametrize("viewport", WIDTHS)
def test_the_dealer_reads_the_dealerships_money_and_pays_a_member_who_shows_on_the_statement(
        site, new_page, viewport):
    from decimal import Decimal

    from django_wallet import services as wallet

    port = site["port"]
    base = f"http://dealer1.localhost:{port}"
    _member("cash-dealer", "dealer")
    washer = _member("car-washer", "sales_agent")
    account = wallet.account_for(_dealership("dealer1"))
    wallet.deposit(account=account, amount=Decimal("3000.00"), memo="Opening float")
    wallet.hold(account=account, amount=Decimal("250.00"), memo="Deposit on a trade-in")

    page = new_page(viewport=viewport)
    sign_in(page, base, "cash-dealer", next_path="/money/")
    expect(page.locator("#money-balance")).to_contain_text("3000.00")
    expect(page.locator("#money-held")).to_have_text("250.00")
    expect(page.locator("#money-available")).to_have_text("2750.00")
    expect(page.locator(".statement .entry-kind").first).to_have_text("Deposit")

    form = page.get_by_role("region", name="Pay a member")
    form.get_by_role("combobox").select_option(label="car-washer")
    form.get_by_label("Amount").fill("80.25")
    form.get_by_label("What for").fill("Valeting bonus")
    page.get_by_role("button", name="Pay", exact=True).click()
    expect(page.get_by_text("Paid 80.25 to car-washer.")).to_be_visible()
    expect(page.locator("#money-balance")).to_contain_text("2919.75")
    expect(page.locator("#money-available")).to_have_text("2669.75")
    first = page.locator(".statement tbody tr").first
    expect(first.locator(".entry-kind")).to_have_text("Paid to a member")
    expect(first).to_contain_text("Valeting bonus")
    expect(first).to_contain_text("-80.25")
    _no_sideways_scroll(page)
    from django_wallet import selectors

    assert selectors.balance(wallet.account_for(washer)) == Decimal("80.25")


def test_platform_staff_open_the_django_admin_on_each_host_and_see_its_models(site, new_page):
    port = site["port"]
    _user("platform-root", is_staff=True, is_superuser=True)
    from django_wallet import services as wallet

    owner = _user("admin-visible", deposit="12.00")

    page = new_page()
    sign_in(page, f"http://localhost:{port}", "platform-root", next_path="/admin/")
    expect(page.get_by_text("Not available", exact=False)).to_have_count(0)
    expect(page.locator('#content-main a[href="/admin/wallet/"]')).to_have_count(1)
    expect(page.locator('#content-main a[href="/admin/leads/"]')).to_have_count(0)  # a dealership's, not here
    page.locator('#content-main a[href="/admin/wallet/account/"]').first.click()  # a shared model's list
    # Read-only: money moves through services.
    expect(page.locator("#content h1")).to_have_text("Select account to view")
    pk = wallet.account_for(owner).pk
    row = page.locator("#result_list tbody tr").filter(has=page.locator(f'a[href$="/wallet/account/{pk}/change/"]'))
    expect(row).to_contain_text("12.00")

    sign_in(page, f"http://dealer1.localhost:{port}", "platform-root", next_path="/admin/")  # a host's own session
    expect(page.get_by_text("Not available", exact=False)).to_have_count(0)
    expect(page.locator("#content-main")).to_contain_text("Leads")
    expect(page.locator('#content-main a[href="/admin/wallet/"]')).to_have_count(0)  # shared, not here
    _lead("Admin Walk In")
    page.goto(f"http://dealer1.localhost:{port}/admin/leads/lead/")
    expect(page.locator("#result_list")).to_contain_text("Admin Walk In")
