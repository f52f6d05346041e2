"""Bad input at the API: every case is a 4xx with a stable code in the error shape, and nothing is stored.

Table-driven, through the real URL stack on both hosts (Django's test client; the fuzzer in
test_fuzz_api.py covers the live server). After each refused request the rows of every table a case
could write, and every balance, are what they were before.
"""
from __future__ import annotations

import base64
import io
import json
import uuid
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from tests.conftest import host_client

PUBLIC, DEALER = "localhost", "dealer1.localhost"
VIN = "1M8GDM9AXKP042788"  # valid check digit
CAR = {"make": "Ford", "model": "Focus", "year": 2015, "price": "4000.00", "vin": VIN}


@pytest.fixture
def people(db, make_user, dealer1):
    from django_wallet import services as wallet
    from tenancy.services import membership_grant

    buyer, other, dealer = make_user("bi-buyer"), make_user("bi-other"), make_user("bi-dealer")
    membership_grant(user=dealer, dealership=dealer1, role="dealer")
    for user in (buyer, other, dealer):
        wallet.deposit(account=wallet.account_for(user), amount=Decimal("1000.00"))
    _market()
    return {"buyer": buyer, "other": other, "dealer": dealer}


def _market() -> None:
    from datetime import UTC, datetime

    from django_trading import services as trading

    price = Decimal("10.00")
    trading.bars_ingest(bars=[{"ticker": "ACME", "open": price, "high": price, "low": price, "close": price,
                               "volume": 1000, "timestamp": datetime(2026, 1, 2, tzinfo=UTC)}])


def snapshot() -> dict:
    """Row counts of every table a case below could write, in both schemas, and every balance."""
    from django.apps import apps

    from django_wallet.models import Account

    labels = ["car_listing.Car", "car_listing.CarImage", "car_listing.ListingIndex", "wallet.Transaction",
              "wallet.Entry", "wallet.CreditRequest", "trading.Order", "trading.PriceBar", "trading.Stock",
              "accounts.User", "tenancy.Dealership"]
    tenant_labels = ["car_listing.Car", "car_listing.CarImage", "leads.Lead", "payroll.Employee",
                     "payroll.SalaryStructure", "books.JournalEntry"]
    with schema_context("public"):  # a request to a dealer host leaves the connection in its schema
        counts = {f"public.{label}": apps.get_model(label).objects.count() for label in labels}
        counts["balances"] = sorted(Account.objects.values_list("pk", "balance"))
    with schema_context("dealer1"):
        counts |= {f"dealer1.{label}": apps.get_model(label).objects.count() for label in tenant_labels}
    return counts


def _client(host, user):
    return host_client(host, user)


def assert_refused(response, statuses=(400,), codes=None):
    assert response.status_code in statuses, (response.status_code, response.content[:500])
    body = response.json()
    assert isinstance(body.get("code"), str) and body["code"], body
    assert isinstance(body.get("message"), str), body
    if codes is not None:
        flat = json.dumps(body)
        assert body["code"] in codes or any(f'"{c}"' in flat for c in codes), body
    return body


def each_refused(cases, send, statuses=(400,)) -> None:
    """Send every case of a table (pytest.param values); collect each one that was not refused in the error
    shape or that changed stored state, and fail once with all of them (one test per table and host keeps
    the fixtures' cost out of every row)."""
    problems = []
    for case in cases:
        before = snapshot()
        try:
            assert_refused(send(case.values[0]), statuses=statuses)
            assert snapshot() == before, "stored state changed"
        except AssertionError as exc:
            problems.append(f"{case.id}: {exc}"[:600])
    assert not problems, "\n".join(problems)


def post_json(client, path, payload, **extra):
    """POST as JSON with a fresh Idempotency-Key (a refusal below is never about a missing key)."""
    extra.setdefault("HTTP_IDEMPOTENCY_KEY", uuid.uuid4().hex)
    data = payload if isinstance(payload, bytes | str) else json.dumps(payload)
    return client.post(path, data=data, content_type="application/json", **extra)


# --- decimals ----------------------------------------------------------------------------------------
BAD_DECIMALS = [
    pytest.param("-1.00", id="negative"),
    pytest.param("0", id="zero"),
    pytest.param("NaN", id="nan"),
    pytest.param("sNaN", id="snan"),
    pytest.param("Infinity", id="infinity"),
    pytest.param("-Infinity", id="minus-infinity"),
    pytest.param("10.005", id="three-decimals"),
    pytest.param("1e30", id="exponent-overlong"),
    pytest.param("12345678901234567890.00", id="overlong"),
    pytest.param("1" * 5000, id="5000-digits"),
    pytest.param("12,50", id="comma"),
    pytest.param("\u0661\u0660", id="arabic-indic-digits"),  # Python's Decimal reads it as 10
    pytest.param("\u0967\u0966.00", id="devanagari-digits"),
    pytest.param("\uff11\uff10", id="fullwidth-digits"),
    pytest.param("", id="empty"),
    pytest.param(None, id="null"),
    pytest.param(True, id="bool"),
    pytest.param([1], id="list"),
    pytest.param({"amount": 1}, id="object"),
]

# (host, path, body with AMOUNT where the decimal goes, who asks)
MONEY_ENDPOINTS = [
    pytest.param(PUBLIC, "/api/cars/", {**CAR, "price": "AMOUNT"}, "buyer", id="car-price"),
    pytest.param(PUBLIC, "/api/wallet/transfers/", {"to_user": "OTHER", "amount": "AMOUNT"}, "buyer",
                 id="wallet-transfer"),
    pytest.param(PUBLIC, "/api/wallet/credit-requests/", {"amount": "AMOUNT"}, "buyer", id="credit-request"),
    pytest.param(PUBLIC, "/api/trading/transactions/", {"ticker": "ACME", "transaction_type": "buy",
                                                         "transaction_volume": 1, "order_type": "limit",
                                                         "limit_price": "AMOUNT"}, "buyer", id="limit-price"),
    pytest.param(DEALER, "/api/books/vehicles/7/costs/", {"kind": "reconditioning", "amount": "AMOUNT",
                                                          "incurred_on": "2026-01-05"}, "dealer",
                 id="books-vehicle-cost"),
]


def _fill(body, value, people):
    out = {}
    for key, item in body.items():
        out[key] = value if item == "AMOUNT" else people["other"].pk if item == "OTHER" else item
    return out


@pytest.mark.parametrize(("host", "path", "body", "who"), MONEY_ENDPOINTS)
def test_bad_decimal_is_refused_and_nothing_moves(people, host, path, body, who):
    client = _client(host, people[who])
    each_refused(BAD_DECIMALS, lambda amount: post_json(client, path, _fill(body, amount, people)))


@pytest.mark.parametrize(("host", "path", "body", "who"), MONEY_ENDPOINTS)
def test_the_same_request_with_a_good_decimal_is_accepted(people, host, path, body, who):
    """The control: each refusal above is about the amount, not about the rest of the body."""
    response = post_json(_client(host, people[who]), path, _fill(body, "12.50", people))
    assert response.status_code in (201, 202), response.content[:500]  # an order is accepted (202)


# --- identifiers: VINs, phone numbers, tickers -------------------------------------------------------
BAD_VINS = [
    pytest.param("1M8GDM9AXKP04278", id="16-chars"),
    pytest.param("1M8GDM9AXKP0427888", id="18-chars"),
    pytest.param("1M8GDM9AXKP042789", id="wrong-check-digit"),
    pytest.param("IM8GDM9AXKP042788", id="letter-I"),
    pytest.param("1M8GDM9AXKPO42788", id="letter-O"),
    pytest.param("1M8GDM9AXKP04278Q", id="letter-Q"),
    pytest.param("1M8GDM9AX P042788", id="space"),
    pytest.param("1M8GDM9AXKP04278\x00", id="nul"),
    pytest.param("1M8GDM9AXKP04278\u0661", id="arabic-digit"),
    pytest.param("", id="empty"),
    pytest.param(17, id="number"),
]


@pytest.mark.parametrize(("host", "who"), [(PUBLIC, "buyer"), (DEALER, "dealer")])
def test_malformed_vin_is_refused(people, host, who):
    client = _client(host, people[who])
    each_refused(BAD_VINS, lambda vin: post_json(client, "/api/cars/", {**CAR, "vin": vin}))


BAD_PHONES = [
    pytest.param("not a phone", id="words"),
    pytest.param("+1", id="too-short"),
    pytest.param("+99912345678", id="no-such-country"),
    pytest.param("+4420794609581234567890", id="too-long"),
    pytest.param("+44 20 7946 0958\x00", id="nul"),
    pytest.param("+44 20 7946 0958" + "9" * 30, id="over-max-length"),
    pytest.param(["+442079460958"], id="list"),
]


def test_malformed_phone_is_refused(people):
    from django_car_listing import services as cars

    with schema_context("dealer1"):
        car = cars.car_create(actor=people["dealer"], store_key="dealer1", make="Volvo", model="V60", year=2021,
                              price=Decimal("12000.00"), vin=VIN)
    client = _client(DEALER, people["dealer"])
    each_refused(BAD_PHONES, lambda phone: post_json(
        client, "/api/leads/", {"car": car.pk, "contact_name": "Walk In", "contact_phone": phone}))
    good = {"car": car.pk, "contact_name": "Walk In", "contact_phone": "+44 20 7946 0958"}
    assert post_json(client, "/api/leads/", good).status_code == 201  # the control


BAD_TICKERS = [
    pytest.param("", id="empty"),
    pytest.param("acme", id="lowercase"),
    pytest.param("ACMEACMEACME", id="too-long"),
    pytest.param("AC$E", id="symbol"),
    pytest.param("1ACME", id="leading-digit"),
    pytest.param("AC\x00E", id="nul"),
    pytest.param("ÀCME", id="non-ascii"),
    pytest.param(["ACME"], id="list"),
]


def test_malformed_ticker_is_refused(people):
    client = _client(PUBLIC, people["buyer"])
    each_refused(BAD_TICKERS, lambda ticker: post_json(
        client, "/api/trading/transactions/", {"ticker": ticker, "transaction_type": "buy", "transaction_volume": 1}))


def test_malformed_ticker_in_a_path_is_a_clean_4xx(people):
    client = _client(PUBLIC, people["buyer"])
    tickers = [pytest.param(t, id=t[:20]) for t in ["acme", "AC%00E", "%ED%A0%80", "A" * 300, "..", "%2F"]]
    each_refused(tickers, lambda ticker: client.get(f"/api/trading/stocks/{ticker}/"), statuses=(400, 404))


# --- wrong types and shapes ---------------------------------------------------------------------------
WRONG_BODIES = [
    pytest.param({**CAR, "year": "two thousand"}, id="year-words"),
    pytest.param({**CAR, "year": 2015.5}, id="year-float"),
    pytest.param({**CAR, "year": 10**40}, id="year-huge"),
    pytest.param({**CAR, "year": [2015]}, id="year-list"),
    pytest.param({**CAR, "make": {"name": "Ford"}}, id="make-object"),
    pytest.param({**CAR, "make": None}, id="make-null"),
    pytest.param({**CAR, "mileage": -1}, id="mileage-negative"),
    pytest.param({**CAR, "body_type": "spaceship"}, id="unknown-choice"),
    pytest.param({k: v for k, v in CAR.items() if k != "make"}, id="missing-field"),
    pytest.param([CAR], id="list-body"),
    pytest.param("a string", id="string-body"),
    pytest.param(None, id="null-body"),
    pytest.param(42, id="number-body"),
    pytest.param(b"{not json", id="malformed-json"),
    pytest.param(b'{"make": "Ford"', id="truncated-json"),
    pytest.param(b"\xff\xfe\x00garbage", id="not-utf8"),
    pytest.param(b'{"make": "\\ud800", "model": "x", "year": 2015, "price": "1.00", "vin": "1M8GDM9AXKP042788"}',
                 id="lone-surrogate"),
    pytest.param(b'{"make": "Ford\\u0000", "model": "x", "year": 2015, "price": "1.00", '
                 b'"vin": "1M8GDM9AXKP042788"}', id="nul-in-text"),
    pytest.param({**CAR, "description": "x" * 20001}, id="overlong-text"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, id="deeply-nested-list"),
    pytest.param(b'{"make": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001, id="deeply-nested-object"),
]


@pytest.mark.parametrize(("host", "who"), [(PUBLIC, "buyer"), (DEALER, "dealer")])
def test_wrong_types_and_shapes_are_refused(people, host, who):
    client = _client(host, people[who])
    each_refused(WRONG_BODIES, lambda body: post_json(client, "/api/cars/", body if body is not None else b"null"))


BAD_QUERIES = [pytest.param(q, id=q) for q in ["q=%00", "make=Fo%00rd", "price_min=NaN", "price_max=1e999",
                                   "year_min=99999999999999999999", "sort=%00", "store=%00", "cursor=%00",
                                   "cursor=garbage", "page=0", "page=-1", "page=abc", "page=99999999999999999999",
                                   "page_size=0", "page_size=-5", "page_size=abc"]]


@pytest.mark.parametrize("host", [PUBLIC, DEALER])
def test_bad_search_queries_are_clean_4xx(people, host):
    client = _client(host, people["dealer"])
    each_refused(BAD_QUERIES, lambda query: client.get(f"/api/cars/?{query}"), statuses=(400, 404))


# Well-formed cursors (base64 of DRF's query string) whose position the ordering field cannot read.
FORGED_CURSORS = [pytest.param(base64.b64encode(text.encode()).decode(), id=text)
                  for text in ["p=notadate", "p=2026-02-30T00:00:00", "r=1&p=%00", "o=5&p=1e999"]]


def test_forged_statement_cursors_are_clean_400s(people):
    from django_wallet import services as wallet

    client = _client(PUBLIC, people["buyer"])
    path = f"/api/wallet/accounts/{wallet.account_for(people['buyer']).pk}/statement/"
    each_refused(FORGED_CURSORS, lambda cursor: client.get(path, {"cursor": cursor}))


# --- unicode that is fine: stored and returned unchanged ------------------------------------------------
@pytest.mark.parametrize("text", [
    pytest.param("\u202eredroF\u202c", id="rtl-override"),
    pytest.param("فورد", id="arabic"),
    pytest.param("🚗🏎️👨‍👩‍👧", id="emoji-zwj"),
    pytest.param("e\u0301\u0301\u0301", id="combining-marks"),
    pytest.param("\u200b\ufeff", id="zero-width"),
])
def test_valid_unicode_round_trips(people, text):
    client = _client(PUBLIC, people["buyer"])
    response = post_json(client, "/api/cars/", {**CAR, "description": text, "location": text[:20]})
    assert response.status_code == 201, response.content[:500]
    car = client.get(f"/api/cars/{response.json()['id']}/").json()
    assert car["description"] == text



# --- image uploads -------------------------------------------------------------------------------------
def _png_chunk(kind: bytes, data: bytes) -> bytes:
    import struct
    import zlib

    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int, height: int) -> bytes:
    """A few hundred bytes that claim width x height pixels: the IDAT inflates one row per line, all zeros,
    so a decoder that trusts the header allocates the whole canvas."""
    import struct
    import zlib

    row = b"\x00" + b"\x00" * ((width + 7) // 8)  # filter byte + 1-bit pixels
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(min(height, 2000))) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


def real_png(size=(8, 8)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
       b'<script>alert(1)</script><rect width="8" height="8"/></svg>')
BAD_IMAGES = [
    pytest.param(("bomb.png", png_bomb(60_000, 60_000), "image/png"), id="decompression-bomb-error"),
    pytest.param(("bomb.png", png_bomb(10_000, 10_000), "image/png"), id="decompression-bomb-warning"),
    pytest.param(("tall.png", png_bomb(1, 9_000), "image/png"), id="over-max-dimension"),
    pytest.param(("car.svg", SVG, "image/svg+xml"), id="svg"),
    pytest.param(("car.png", SVG, "image/png"), id="svg-named-png"),
    pytest.param(("car.png", b"just some text, not an image", "image/png"), id="text"),
    pytest.param(("car.png", b"", "image/png"), id="empty"),
    pytest.param(("car.png", real_png()[:40], "image/png"), id="truncated"),
    pytest.param(("car.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"), id="gif"),
    pytest.param(("car.html", b"<html><script>alert(1)</script></html>", "text/html"), id="html"),
    pytest.param(("car.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
                  "application/pdf"), id="pdf"),
]


@pytest.fixture
def own_car(people):
    from django_car_listing import services as cars

    return cars.car_create(actor=people["buyer"], store_key="", make="Ford", model="Focus", year=2015,
                           price=Decimal("4000.00"), vin=VIN)


def test_bad_image_is_refused_and_nothing_stored(people, own_car):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _client(PUBLIC, people["buyer"])

    def upload(image):
        name, content, content_type = image
        file = SimpleUploadedFile(name, content, content_type=content_type)
        return client.post(f"/api/cars/{own_car.pk}/images/", {"image": file})

    each_refused(BAD_IMAGES, upload, statuses=(400, 413))


def test_a_real_image_is_accepted(people, own_car):
    """The control for the table above."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("car.png", real_png(), content_type="image/png")
    response = _client(PUBLIC, people["buyer"]).post(f"/api/cars/{own_car.pk}/images/", {"image": upload})
    assert response.status_code == 201, response.content[:300]


def test_image_upload_without_a_file_is_refused(people, own_car):
    response = _client(PUBLIC, people["buyer"]).post(f"/api/cars/{own_car.pk}/images/", {"image": "text"})
    assert_refused(response)


# --- oversized bodies ------------------------------------------------------------------------------------
@pytest.mark.parametrize("host", [PUBLIC, DEALER])
@pytest.mark.parametrize("kind", ["json", "form"])
def test_oversized_body_is_refused_with_a_code(people, settings, host, kind):
    before = snapshot()
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    client = _client(host, people["dealer"])
    if kind == "json":
        body = json.dumps({**CAR, "description": "x" * (limit + 1024)})
        response = client.post("/api/cars/", data=body, content_type="application/json")
    else:
        response = client.post("/api/cars/", data={**CAR, "description": "x" * (limit + 1024)})
    assert_refused(response, statuses=(413,), codes={"request_too_large"})
    assert snapshot() == before


# --- page sizes ---------------------------------------------------------------------------------------------
LISTS = [
    (PUBLIC, "/api/cars/"), (PUBLIC, "/api/cars/mine/"), (PUBLIC, "/api/wallet/credit-requests/"),
    (PUBLIC, "/api/notifications/"), (PUBLIC, "/api/trading/stocks/"), (PUBLIC, "/api/dealerships/"),
    (DEALER, "/api/cars/"), (DEALER, "/api/leads/"), (DEALER, "/api/hr/employees/"), (DEALER, "/api/payroll/runs/"),
    (DEALER, "/api/books/entries/"),
]


@pytest.mark.parametrize(("host", "path"), LISTS)
@pytest.mark.parametrize("size", ["1000000", "99999999999999999999999"])
def test_huge_page_size_is_capped_or_refused(people, host, path, size):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_user("bi-admin", password="a-Strong-passw0rd", is_staff=True,
                                                 is_superuser=True)
    response = _client(host, admin).get(f"{path}?page_size={size}")
    if response.status_code == 200:
        body = response.json()
        results = body["results"] if isinstance(body, dict) else body
        assert len(results) <= 500  # each package caps its pages (site 100, payroll 200, wallet 500)
        if isinstance(body, dict) and "page_size" in body:
            assert body["page_size"] <= 500
    else:
        assert_refused(response)


@pytest.mark.parametrize(("body", "deeper"), [
    (b'{"a": [1, {"b": "[[[[[[[[[["}]}', False),  # brackets inside strings do not count
    (b"[" * 64 + b"]" * 64, False),
    (b"[" * 65 + b"]" * 65, True),
    (b'{"a": "\\"[[[[' + b"[" * 70 + b'"}', False),  # an escaped quote does not end the string
])
def test_json_depth_scan(body, deeper):
    from demo.http.request_guard import json_depth_exceeds

    assert json_depth_exceeds(body, 64) is deeper


# --- every answer under /api/ is JSON in the error shape, DEBUG on or off ------------------------------------
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize(("method", "path"), [
    ("DELETE", "/api/cars/%C2%84/"), ("GET", "/api/no-such-route/"), ("POST", "/api/wallet/nothing-here/"),
    ("GET", "/api/cars/1/no-such-action/"), ("PATCH", "/api/trading/stocks/%00/"),
])
def test_unknown_api_routes_answer_json_in_the_error_shape(people, settings, debug, method, path):
    """With DEBUG on, Django answers an unresolved URL with its HTML technical 404 page; API clients use the
    demo too, so under /api/ every answer is the JSON error shape, whatever DEBUG says."""
    settings.DEBUG = debug
    for host in (PUBLIC, DEALER):
        response = _client(host, people["dealer"]).generic(method, path)
        assert response.status_code in (400, 404, 405), (host, response.status_code)
        assert response["Content-Type"].startswith("application/json"), (host, response.content[:200])
        assert_refused(response, statuses=(400, 404, 405))


# --- query values the published schema forbids are refused, not quietly read ---------------------------------
@pytest.mark.parametrize("query", ["unread=null&unread=null", "unread=null", "unread=1", "unread=yes"])
def test_a_boolean_filter_takes_only_what_the_schema_says(people, query):
    """The schema publishes `unread` as a boolean ("true"/"false"); "null", "1" or "yes" were answered 200."""
    response = _client(PUBLIC, people["buyer"]).get(f"/api/notifications/?{query}")
    body = assert_refused(response)
    assert "unread" in body.get("fields", {}), body


def test_a_boolean_filter_filters(people):
    """The control: "true" and "false" are read as the schema says."""
    from django_notifications import services as notifications

    read = notifications.notify(recipient=people["buyer"], kind="t", title="old")
    notifications.notify(recipient=people["buyer"], kind="t", title="new")
    notifications.mark_read(user=people["buyer"], notification_id=read.pk)
    client = _client(PUBLIC, people["buyer"])
    counts = [client.get(f"/api/notifications/{q}").json()["count"] for q in ("", "?unread=true", "?unread=false")]
    assert counts == [2, 1, 1]


# --- phone numbers in local format: the dealership's region, else the deployment's ---------------------------
def _walk_in(client, car_id, phone):
    return post_json(client, "/api/leads/", {"car": car_id, "contact_name": "Walk In", "contact_phone": phone})


def test_a_local_phone_number_is_read_in_the_dealerships_region_else_the_deployments(people, settings, dealer1):
    """"07400 123456" was refused everywhere (no default region could be set). Dealer1 says GB; the marketplace
    and a dealership that set no region use the deployment's FORECOURT_PHONE_REGION."""
    from django_car_listing import services as cars

    with schema_context("dealer1"):
        car = cars.car_create(actor=people["dealer"], store_key="dealer1", make="Volvo", model="V60", year=2021,
                              price=Decimal("12000.00"), vin=VIN)
    client = _client(DEALER, people["dealer"])
    settings.FORECOURT_PHONE_REGION = None
    assert_refused(_walk_in(client, car.pk, "07400 123456"), codes={"invalid_phone"})  # no region anywhere yet
    dealer1.phone_region = "GB"
    dealer1.save(update_fields=["phone_region"])
    created = _walk_in(client, car.pk, "07400 123456")
    assert created.status_code == 201 and created.json()["contact_phone"] == "+447400123456", created.content
    # The marketplace has no dealership: the deployment's region reads the charge sale's local number.
    settings.FORECOURT_PHONE_REGION = "US"
    sale = post_json(_client(PUBLIC, people["buyer"]), "/api/wallet/charge-sales/",
                     {"phone": "(415) 555-0132", "amount": "1.00"}, HTTP_IDEMPOTENCY_KEY="local-phone-1")
    assert sale.status_code == 201 and sale.json()["phone"] == "+14155550132", sale.content


# --- money-moving operations require an Idempotency-Key ---------------------------------------------------------
def _keyless(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")  # no Idempotency-Key


@pytest.mark.parametrize("key", [None, "", "   ", "é-not-ascii", "x" * 256], ids=["missing", "empty", "blank",
                                                                                 "non-ascii", "too-long"])
def test_a_money_moving_operation_without_a_valid_key_is_refused_and_moves_nothing(people, key):
    """A retried request must not move money twice: without a (valid) key every operation that moves money is
    a 400 with its own code, before anything is done (also before looking up the object it names)."""
    from django.contrib.auth import get_user_model

    from django_car_listing import services as cars
    from django_wallet import services as wallet

    seller = people["other"]
    car = cars.car_create(actor=seller, store_key="", make="Fiat", model="Panda", year=2017,
                          price=Decimal("10.00"), vin=VIN)
    credit = wallet.credit_request_create(account=wallet.account_for(seller), amount=Decimal("5.00"))
    admin = get_user_model().objects.create_user("bi-key-admin", password="a-Strong-passw0rd", is_staff=True,
                                                 is_superuser=True)
    operations = [  # (id, host, who, path, body)
        ("transfer", PUBLIC, "buyer", "/api/wallet/transfers/", {"to_user": seller.pk, "amount": "5.00"}),
        ("charge-sale", PUBLIC, "buyer", "/api/wallet/charge-sales/", {"phone": "+44 7911 123456", "amount": "5.00"}),
        ("batch", PUBLIC, "buyer", "/api/wallet/batches/", {"items": [{"type": "transfer", "to_user": seller.pk,
                                                                      "amount": "5.00"}]}),
        ("credit-approve", PUBLIC, admin, f"/api/wallet/credit-requests/{credit.pk}/approve/", {}),
        ("buy", PUBLIC, "buyer", f"/api/cars/{car.pk}/buy/", {}),
        ("order", PUBLIC, "buyer", "/api/trading/orders/", {"ticker": "ACME", "side": "buy", "volume": 1}),
        ("transaction", PUBLIC, "buyer", "/api/trading/transactions/", {"ticker": "ACME", "transaction_type": "buy",
                                                                        "transaction_volume": 1}),
        ("trading-deposit", PUBLIC, "buyer", "/api/trading/deposits/", {"amount": "5.00"}),
        ("trading-withdrawal", PUBLIC, "buyer", "/api/trading/withdrawals/", {"amount": "5.00"}),
        ("trader-top-up", PUBLIC, admin, "/api/trading/users/", {"username": "bi-topped", "balance": "5.00"}),
        ("commission-payout", DEALER, "dealer", "/api/leads/commissions/1/payout/", {}),
        ("payroll-pay", DEALER, "dealer", "/api/payroll/runs/1/pay/", {}),
    ]
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    expected = "idempotency_key_required" if key is None else "invalid_idempotency_key"

    problems = []
    for name, host, who, path, body in operations:
        user = people[who] if isinstance(who, str) else who
        before = snapshot()
        response = _client(host, user).post(path, data=json.dumps(body), content_type="application/json", **headers)
        try:
            body = assert_refused(response, codes={expected})
            assert body["code"] == expected, body
            assert snapshot() == before, "stored state changed"
        except AssertionError as exc:
            problems.append(f"{name}: {exc}"[:400])
    assert not problems, "\n".join(problems)


MONEY_MOVING = {
    PUBLIC: ["/api/wallet/transfers/", "/api/wallet/charge-sales/", "/api/wallet/credit-requests/{id}/approve/",
             "/api/wallet/batches/",
             "/api/cars/{id}/buy/", "/api/cars/{id}/feature/", "/api/trading/orders/", "/api/trading/transactions/",
             "/api/trading/deposits/", "/api/trading/withdrawals/"],
    DEALER: ["/api/leads/commissions/{id}/payout/", "/api/payroll/runs/{id}/pay/", "/api/cars/{id}/buy/"],
}


@pytest.mark.parametrize("host", [PUBLIC, DEALER])
def test_the_published_schema_requires_the_key_on_every_money_moving_operation(people, host):
    schema = _client(host, people["dealer"]).get("/api/schema/?format=json").json()
    for path in MONEY_MOVING[host]:
        params = schema["paths"][path]["post"].get("parameters", [])
        header = [p for p in params if p["in"] == "header" and p["name"] == "Idempotency-Key"]
        assert header and header[0]["required"] is True, (path, params)
    # Creating a trader moves money only with an opening balance: the header is documented, required then.
    if host == PUBLIC:
        params = schema["paths"]["/api/trading/users/"]["post"]["parameters"]
        assert [p["description"] for p in params if p["name"] == "Idempotency-Key"][0].startswith("Required with")


# --- money typed into the pages' forms -----------------------------------------------------------------------------
def _money_forms():
    from demo.pages import forms

    return [  # (form class, money field, constructor keywords)
        (forms.SearchForm, "price_min", {}), (forms.SearchForm, "price_max", {}),
        (forms.CarForm, "price", {}), (forms.PriceForm, "price", {}),
        (forms.TransferForm, "amount", {}), (forms.MemberPayoutForm, "amount", {}),
        (forms.CreditRequestForm, "amount", {}), (forms.ChargeSaleForm, "amount", {}),
        (forms.SalaryForm, "base_salary", {}), (forms.ComponentForm, "amount", {}),
        (forms.AmountForm, "amount", {}), (forms.LimitPriceForm, "limit_price", {}),
        (forms.AgreedPriceForm, "agreed_price", {}),
        (forms.CommissionRuleValueForm, "value", {"percent": False}),
        (forms.CommissionRuleValueForm, "value", {"percent": True}),
    ]


@pytest.mark.parametrize("typed", ["\u0661\u0660", "\u0967\u0966.00", "\uff11\uff10", "1e3", "10.005", "-1"],
                         ids=["arabic-indic", "devanagari", "fullwidth", "exponent", "three-places", "negative"])
def test_every_money_field_of_the_pages_refuses_what_the_api_refuses(typed):
    """Django's DecimalField reads "١٠" as 10; every money field of every page form (and every model form of a
    kernel AmountField, the admin's included) reads amounts like the API: a field error, never a Decimal."""
    from django.core.exceptions import ValidationError

    from django_car_listing.models import Car

    problems = []
    for form_class, field, kwargs in _money_forms():
        if kwargs.get("percent") and typed == "10.005":
            continue  # a percent takes four places
        form = form_class({field: typed}, **kwargs)
        form.is_valid()
        if field not in form.errors:
            problems.append(f"{form_class.__name__}.{field} {kwargs} took {typed!r}: {form.cleaned_data.get(field)!r}")
    with pytest.raises(ValidationError):
        Car._meta.get_field("price").formfield().clean(typed)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("form_index", range(15))
def test_every_money_field_of_the_pages_takes_an_ascii_amount(form_index):
    """The same fields still take "10.50" as Decimal("10.50") (the percent field as a percent)."""
    form_class, field, kwargs = _money_forms()[form_index]
    form = form_class({field: "10.50"}, **kwargs)
    form.is_valid()
    assert field not in form.errors and form.cleaned_data[field] == Decimal("10.50"), form.errors
