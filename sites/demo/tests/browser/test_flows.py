"""Every role's main flow in headless Chromium against the served site (uvicorn + Celery worker)."""
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, sign_in

VIN = "1M8GDM9AXKP042788"
VIN2 = "1HGCM82633A004352"
pytestmark = pytest.mark.timeout(180)


def _user(username, *, deposit=None, **extra):
    from django.contrib.auth import get_user_model

    from django_wallet import services as wallet

    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    if deposit is not None:
        wallet.deposit(account=wallet.account_for(user), amount=Decimal(deposit))
    return user


def _listed_car(seller, *, vin=VIN, make="Saab", model="9-3", price="3500.00"):
    from django_car_listing import services

    admin = _user(f"verifier-{vin[-4:]}", is_staff=True)
    car = services.car_create(actor=seller, store_key="", make=make, model=model, year=2008,
                              price=Decimal(price), vin=vin)
    services.car_verify(actor=admin, store_key="", car_id=car.pk)
    return services.car_put_on_sale(actor=seller, store_key="", car_id=car.pk)


def _dealership(slug):
    # Not the `dealer1` fixture: it needs `db`, whose rollback would hide the rows from the server.
    from tenancy.models import Dealership

    return Dealership.objects.get(slug=slug)


def _png(path):
    from PIL import Image

    Image.new("RGB", (64, 48), (200, 30, 30)).save(path, "PNG")
    return str(path)


def _balance(user) -> Decimal:
    from django_wallet import selectors, services

    return selectors.balance(services.account_for(user))


def test_seller_lists_buyer_searches_and_buys_seller_sees_bell_and_balance(site, new_page, tmp_path):
    base = site["base"]
    admin = _user("platform-admin", is_staff=True)
    _user("buyer", deposit="10000.00")

    # The seller signs up in the browser and lists a car with a photo.
    seller_page = new_page()
    seller_page.goto(f"{base}/accounts/signup/")
    seller_page.get_by_label("Username").fill("seller")
    seller_page.get_by_label("Password").fill(PASSWORD)
    seller_page.get_by_role("button", name="Sign up").click()
    expect(seller_page.get_by_text("Welcome, seller")).to_be_visible()
    seller_page.get_by_role("link", name="My cars").click()
    seller_page.get_by_role("link", name="Add a car").click()
    seller_page.get_by_label("Make").fill("Saab")
    seller_page.get_by_label("Model").fill("9-3 Aero")
    seller_page.get_by_label("Year").fill("2008")
    seller_page.get_by_label("Price").fill("3500.00")
    seller_page.get_by_label("Mileage").fill("150000")
    seller_page.get_by_label("VIN").fill(VIN)
    seller_page.get_by_label("Photos").set_input_files(_png(tmp_path / "front.png"))
    seller_page.get_by_role("button", name="Save car").click()
    expect(seller_page.get_by_text("with 1 photo(s)")).to_be_visible()
    seller_page.get_by_role("button", name="Put on sale").click()
    expect(seller_page.locator("#car-status")).to_contain_text("On sale")

    # A platform admin verifies it (only verified cars are listed).
    admin_page = new_page()
    sign_in(admin_page, base, admin.username, next_path="/staff/verification/")
    admin_page.locator("tr", has_text=VIN).get_by_role("button", name="Verify").click()
    expect(admin_page.get_by_text("verified.")).to_be_visible()

    # The seller waits on the wallet page: the bell must change without a reload.
    seller_page.get_by_role("link", name="Wallet").click()
    expect(seller_page.locator("#wallet-balance")).to_contain_text("$0.00")
    badge = seller_page.locator(".notifications-bell-count")
    seller_page.wait_for_function("() => window.performance.now() > 0")

    # The buyer finds it by search and buys it, with a confirmation step.
    buyer_page = new_page()
    sign_in(buyer_page, base, "buyer")
    buyer_page.get_by_label("Search", exact=True).fill("saab aero")
    buyer_page.get_by_label("Price to").fill("4000")
    buyer_page.get_by_role("button", name="Search").click()
    expect(buyer_page.get_by_text("1 car found")).to_be_visible()
    buyer_page.get_by_role("link", name="2008 Saab 9-3 Aero").click()
    expect(buyer_page.locator("#price")).to_contain_text("$3,500.00")
    expect(buyer_page.locator("#seller")).to_have_text("seller")
    expect(buyer_page.locator("img.gallery-main")).to_be_visible()
    buyer_page.get_by_role("link", name="Buy").click()
    expect(buyer_page.locator("#balance")).to_have_text("$10,000.00")
    buyer_page.get_by_role("button", name="Confirm purchase").click()
    expect(buyer_page.get_by_text("You bought the 2008 Saab 9-3 Aero for $3,500.00")).to_be_visible()

    # Live: the seller's bell shows the notification without a reload; then the balance is the price.
    expect(badge).to_have_text(re.compile(r"^[1-9]"), timeout=30_000)
    expect(badge).to_be_visible()
    seller_page.reload()
    expect(seller_page.locator("#wallet-balance")).to_contain_text("$3,500.00")
    assert _balance(admin) == Decimal("0.00")

    # The car left the marketplace.
    buyer_page.goto(f"{base}/?q=saab")
    expect(buyer_page.get_by_text("0 cars found")).to_be_visible()


def test_return_from_sale_hides_the_car_from_search(site, new_page):
    base = site["base"]
    seller = _user("seller2")
    _listed_car(seller, make="Volvo", model="V70")
    page = new_page()
    sign_in(page, base, "seller2")
    page.goto(f"{base}/?q=volvo")
    expect(page.get_by_text("1 car found")).to_be_visible()
    page.get_by_role("link", name="My cars").click()
    page.get_by_role("link", name="2008 Volvo V70").click()
    page.get_by_role("button", name="Return from sale").click()
    expect(page.get_by_text("hidden from search")).to_be_visible()
    page.goto(f"{base}/?q=volvo")
    expect(page.get_by_text("0 cars found")).to_be_visible()


def test_short_balance_shows_the_refusal_and_changes_nothing(site, new_page):
    base = site["base"]
    seller = _user("seller3")
    car = _listed_car(seller, vin=VIN2, price="9000.00")
    poor = _user("poor-buyer", deposit="100.00")
    page = new_page(viewport={"width": 390, "height": 844})  # a phone: the layout stacks
    sign_in(page, base, "poor-buyer")
    page.goto(f"{base}/cars/{car.pk}/")
    page.get_by_role("link", name="Buy").click()
    expect(page.get_by_role("alert")).to_contain_text("lower than the price")
    page.get_by_role("button", name="Confirm purchase").click()
    refusal = page.locator(".msg-error")
    expect(refusal).to_contain_text("available balance is too low")
    expect(page.locator("#price")).to_contain_text("$9,000.00")  # back on the car page, still for sale
    assert "Traceback" not in page.content()
    page.goto(f"{base}/me/wallet/")
    expect(page.locator("#wallet-balance")).to_contain_text("$100.00")
    assert _balance(poor) == Decimal("100.00") and _balance(seller) == Decimal("0.00")
    page.goto(f"{base}/?q=saab")
    expect(page.get_by_text("1 car found")).to_be_visible()


def test_a_dealer1_user_opening_dealer2_is_refused(site, new_page):
    from tenancy.services import membership_grant

    port = site["port"]
    dealer1 = _dealership("dealer1")
    agent = _user("agent-one")
    membership_grant(user=agent, dealership=dealer1, role="sales_agent")
    page = new_page()
    sign_in(page, f"http://dealer1.localhost:{port}", "agent-one", next_path="/leads/")
    expect(page.get_by_role("heading", name="Leads")).to_be_visible()
    # dealer2 has its own session cookie host: the agent signs in there and is still refused.
    sign_in(page, f"http://dealer2.localhost:{port}", "agent-one", next_path="/leads/")
    expect(page.get_by_role("alert")).to_contain_text("You are not a member of this dealership.")
    response = page.goto(f"http://dealer2.localhost:{port}/inventory/")
    assert response.status == 403


def test_sales_agent_wins_a_lead_and_the_dealer_sees_it_on_the_dashboard(site, new_page):
    from django_tenants.utils import schema_context

    from django_car_listing import services as cars
    from django_leads import services as leads
    from tenancy.services import membership_grant

    port = site["port"]
    dealer1 = _dealership("dealer1")
    dealer, agent, buyer = _user("dealer-boss"), _user("agent-won"), _user("walk-in-buyer")
    membership_grant(user=dealer, dealership=dealer1, role="dealer")
    membership_grant(user=agent, dealership=dealer1, role="sales_agent")
    with schema_context("dealer1"):
        car = cars.car_create(actor=dealer, store_key="dealer1", make="Audi", model="A4", year=2019,
                              price=Decimal("21000.00"), vin=VIN)
        leads.agent_upsert(user=agent)
        lead = leads.lead_create(car=car, buyer=buyer, by=dealer, agent=agent)

    base = f"http://dealer1.localhost:{port}"
    page = new_page()
    sign_in(page, base, "agent-won", next_path="/leads/")
    for target in ("Contacted", "Qualified", "Negotiating"):
        page.locator(f'[data-lead="{lead.pk}"]').get_by_role("button", name=f"Move to {target}").click()
        expect(page.get_by_text(f"moved to {target.lower()}")).to_be_visible()
    page.locator(f'[data-lead="{lead.pk}"]').get_by_role("button", name="Move to Won").click()
    expect(page.get_by_label("Final price")).to_have_value("21000.00")  # won asks the final price first
    page.get_by_label("Final price").fill("20500.00")
    page.get_by_label("I confirm the buyer has agreed to this price").check()
    page.get_by_role("button", name="Confirm sale").click()
    expect(page.get_by_text(f"Lead #{lead.pk} won: sold for 20500.00.")).to_be_visible()
    expect(page.locator('[data-status="won"] [data-lead]')).to_have_count(1)

    boss = new_page()
    sign_in(boss, base, "dealer-boss")
    data = json.loads(boss.locator("#chart-data").text_content())
    assert data["funnel"]["Won"] == 1
    assert data["agents"][0]["name"] == "agent-won" and data["agents"][0]["won"] == 1
    expect(boss.locator('[data-key="funnel"] svg rect')).to_have_count(len(data["funnel"]))


def test_accountant_runs_dealer_approves_accountant_pays_employee_downloads_payslip(site, new_page):
    import datetime as dt

    from django_tenants.utils import schema_context

    from django_payroll import services as payroll
    from django_wallet import services as wallet
    from tenancy.services import membership_grant

    port = site["port"]
    dealer1 = _dealership("dealer1")
    dealer, accountant, worker = _user("payroll-dealer"), _user("accountant"), _user("mechanic")
    membership_grant(user=dealer, dealership=dealer1, role="dealer")
    membership_grant(user=accountant, dealership=dealer1, role="accountant")
    membership_grant(user=worker, dealership=dealer1, role="broker")
    wallet.deposit(account=wallet.account_for(dealer1), amount=Decimal("50000.00"))
    with schema_context("dealer1"):
        employee = payroll.employee_create(first_name="Mia", last_name="Mechanic", hire_date=dt.date(2020, 1, 1),
                                           user=worker, department="Workshop")
        payroll.salary_create(employee=employee, effective_from=dt.date(2020, 1, 1), base_salary=Decimal("3000.00"))

    base = f"http://dealer1.localhost:{port}"
    acc = new_page()
    sign_in(acc, base, "accountant", next_path="/payroll/")
    acc.get_by_role("button", name="Start a payroll run").click()
    expect(acc.get_by_text("created.")).to_be_visible()
    expect(acc.locator("form.actions button")).to_have_text(["Calculate"])  # a draft can only be calculated
    acc.get_by_role("button", name="Calculate").click()
    expect(acc.locator("#run-status")).to_have_text("Calculated")
    expect(acc.get_by_role("cell", name="Mia Mechanic")).to_be_visible()
    expect(acc.get_by_role("button", name="Approve")).to_have_count(0)  # approving is the dealer's
    run_url = acc.url

    boss = new_page()
    sign_in(boss, base, "payroll-dealer", next_path=run_url.replace(base, ""))
    boss.get_by_role("button", name="Approve").click()
    expect(boss.locator("#run-status")).to_have_text("Approved")
    expect(boss.locator("form.actions button")).to_have_text(["Pay"])  # approved: nothing to recalculate

    acc.reload()
    acc.get_by_role("button", name="Pay").click()
    expect(acc.locator("#run-status")).to_have_text("Paid")
    expect(acc.locator("form.actions button")).to_have_count(0)  # a paid run is final
    assert _balance(worker) > Decimal("0.00")

    me = new_page()
    sign_in(me, base, "mechanic", next_path="/payslips/")
    with me.expect_download() as info:
        me.get_by_role("link", name="Download PDF").click()
    pdf = Path(info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and info.value.suggested_filename.endswith(".pdf")
    import io

    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert f"Employer {dealer1.name}" in text and "Payment method Forecourt wallet" in text
    assert re.search(r"Pay date \d{4}-\d{2}-\d{2}", text) and re.search(r"Period [A-Z][a-z]+ \d{4}", text)
