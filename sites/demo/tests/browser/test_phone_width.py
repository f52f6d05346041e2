"""Every page of every role at 390 px (a phone) and 1280 px: the page itself never scrolls sideways.

One browser, one context per role, one tab reused for every page and both widths. The data is the
demo's own seed (a dozen cars), so the pages show what a real user sees: tables, boards, forms.
"""
import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.timeout(600)
WIDTHS = (390, 1280)
DEMO_PASSWORD = "forecourt-demo-1"
DEALER_ROLES = ("dealer", "dealer-staff", "broker", "sales-agent", "accountant", "hr")
MEASURE = "() => [document.documentElement.scrollWidth, window.innerWidth, document.title]"


def _world():
    """The demo seed plus the ids the page list needs."""
    from django.contrib.auth import get_user_model
    from django_tenants.utils import schema_context

    from django_car_listing import selectors as cars
    from django_leads.models import Lead
    from django_payroll.models import Employee, PayrollRun

    call_command("seed_demo", cars=12, stdout=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process
    buyer = get_user_model().objects.get(username="buyer")
    own = cars.store_cars(store_key="", owner=buyer).results[0]
    listed = cars.marketplace_page(filters={}, limit=50).results
    private = next(r for r in listed if not r.store_key)
    dealer_car = next(r for r in listed if r.store_key == "dealer1")
    with schema_context("dealer1"):
        ids = {"lead": Lead.objects.order_by("pk").first().pk, "employee": Employee.objects.order_by("pk").first().pk,
               "run": PayrollRun.objects.order_by("pk").first().pk, "stock": dealer_car.car_id}
    marketplace = ["/", "/?body_type=suv&sort=price", f"/cars/{private.car_id}/",
                   f"/cars/dealer1/{dealer_car.car_id}/", "/accounts/login/", "/accounts/signup/"]
    signed_in = [f"/cars/{private.car_id}/buy/", "/me/cars/", "/me/cars/new/", f"/me/cars/{own.pk}/",
                 f"/me/cars/{own.pk}/edit/", "/me/purchases/", "/me/saved/", "/me/notifications/", "/me/wallet/",
                 "/me/trading/"]
    dealership = ["/", "/inventory/", "/inventory/new/", f"/inventory/{ids['stock']}/edit/", "/leads/",
                  f"/leads/{ids['lead']}/", "/books/", "/sales/", "/employees/", f"/employees/{ids['employee']}/",
                  "/payroll/", f"/payroll/{ids['run']}/", "/payslips/"]
    return {"marketplace": marketplace, "signed_in": signed_in, "dealership": dealership}


def _visits(world):
    """(who, host, username or None, paths) for every role."""
    yield "visitor", "localhost", None, world["marketplace"]
    yield "visitor", "dealer1.localhost", None, ["/accounts/login/", "/accounts/signup/"]
    yield "buyer", "localhost", "buyer", [*world["marketplace"][:4], *world["signed_in"]]
    yield "seller", "localhost", "seller", ["/me/cars/", "/me/wallet/", "/me/notifications/"]
    yield "platform admin", "localhost", "admin", ["/staff/verification/", "/staff/credit/", "/staff/dealerships/"]
    for role in DEALER_ROLES:
        yield role, "dealer1.localhost", f"dealer1-{role}", world["dealership"]


def test_no_page_of_any_role_scrolls_sideways_at_phone_or_desktop_width(site, browser):
    world = _world()
    port, too_wide, broken = site["port"], [], []
    for who, host, username, paths in _visits(world):
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 844})
        page = context.new_page()
        base = f"http://{host}:{port}"
        if username:
            sign_in(page, base, username, DEMO_PASSWORD)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
            for path in paths:
                response = page.goto(base + path)
                scroll_width, viewport, title = page.evaluate(MEASURE)
                if response.status >= 500 or "Traceback" in title:
                    broken.append((who, path, response.status))
                if scroll_width > viewport:
                    too_wide.append(f"{who} {host}{path} at {width}px: {scroll_width}px wide")
        context.close()
    assert broken == []
    assert too_wide == []


def test_phone_search_shows_cars_first_and_filters_in_a_drawer(site, browser):
    _world()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"http://localhost:{site['port']}/")
    drawer = page.locator("details#filters-drawer")
    expect(drawer).not_to_have_attribute("open", "")
    expect(page.get_by_label("Body")).to_be_hidden()
    first_car = page.locator(".car-card").first
    expect(first_car).to_be_visible()
    assert first_car.bounding_box()["y"] < 844  # the first car is on the first screen
    page.get_by_text("More filters").click()
    page.get_by_label("Body").select_option("suv")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".car-card").first).to_contain_text("$")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    expect(page.get_by_label("Body")).to_be_visible()  # a wide screen opens the drawer
    expect(page.get_by_label("Body")).to_have_value("suv")
    context.close()
