"""Money and moments as a reader sees them: the currency with grouping in their locale, times in their
time zone; machine formats (CSV) stay plain."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from django_wallet import services as wallet
from forecourt_core import display
from tests.conftest import host_client

pytestmark = pytest.mark.django_db


def _statement_row(page: str) -> tuple[str, str]:
    row = re.search(r"<tbody><tr><td[^>]*>(.*?)</td>.*?<td[^>]*class=\"num pos\"[^>]*>(.*?)</td>", page, re.S)
    return row.group(1), row.group(2)


@pytest.fixture
def alice(make_user):
    user = make_user("alice")
    entry = wallet.deposit(account=wallet.account_for(user), amount=Decimal("1234567.50"), memo="top up")
    return user, entry


def test_an_english_reader_sees_dollars_with_grouping(alice):
    page = host_client("localhost", alice[0]).get("/me/wallet/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert 'id="wallet-balance" data-balance="1234567.50">$1,234,567.50</p>' in page
    assert _statement_row(page)[1] == "$1,234,567.50"


def test_a_german_reader_sees_german_grouping_and_their_time_zone(alice):
    user, txn = alice
    client = host_client("localhost", user)
    client.cookies["tz"] = "Asia/Tokyo"
    page = client.get("/me/wallet/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5").content.decode()
    when, amount = _statement_row(page)
    assert amount == "1.234.567,50\xa0$"
    tokyo = timezone.localtime(txn.created_at, dt.timezone(dt.timedelta(hours=9)))
    assert when == f"{tokyo:%d.%m.%y}, {tokyo:%H:%M}"


def test_csv_stays_plain(alice):
    body = host_client("localhost", alice[0]).get("/me/wallet/statement.csv", HTTP_ACCEPT_LANGUAGE="de-DE")
    assert "1234567.50" in body.content.decode() and "$" not in body.content.decode()


def test_an_unknown_time_zone_or_language_falls_back_to_the_settings(alice):
    client = host_client("localhost", alice[0])
    client.cookies["tz"] = "Mars/Olympus_Mons"
    page = client.get("/me/wallet/", HTTP_ACCEPT_LANGUAGE="xx-YY, *").content.decode()
    assert _statement_row(page)[1] == "$1,234,567.50"


def test_money_outside_a_request_uses_the_currency_setting(settings):
    settings.FORECOURT_CURRENCY = "EUR"
    assert display.money(Decimal("24750")) == "€24,750.00"
    assert display.money(None) == "" and display.number(150000) == "150,000"


def test_the_car_page_shows_its_price_history_and_the_reduction(make_user):
    from django_car_listing import services as cars

    seller, admin = make_user("seller-p"), make_user("admin-p", is_staff=True)
    car = cars.car_create(actor=seller, store_key="", make="Saab", model="9-3", year=2008,
                          price=Decimal("3500.00"), vin="WAUZZZ8K9HA012345")
    cars.car_verify(actor=admin, store_key="", car_id=car.pk)
    cars.car_put_on_sale(actor=seller, store_key="", car_id=car.pk)
    plain = host_client("localhost").get(f"/cars/{car.pk}/").content.decode()
    assert 'id="price-history"' not in plain and "Reduced from" not in plain  # one price: no history to show
    cars.car_update(actor=seller, store_key="", car_id=car.pk, price=Decimal("3200.00"))
    page = host_client("localhost").get(f"/cars/{car.pk}/").content.decode()
    history = page.split('id="price-history"', 1)[1].split("</ol>", 1)[0]
    assert re.findall(r"\$[\d,]+\.\d\d", history) == ["$3,500.00", "$3,200.00", "$300.00"]
    assert "(-$300.00)" in history
    assert "Reduced from <s>$3,500.00</s>" in page and 'id="price">$3,200.00<' in page
