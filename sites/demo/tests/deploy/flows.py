"""What an operator and the users do on a running stack, through its HTTP API only."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from .conftest import ADMIN, Stack
from .servers import call, get


def vin(serial: int) -> str:
    """A valid VIN (ISO 3779 check digit) per serial."""
    from django_car_listing.validators import vin_check_digit

    body = f"1FTRHRS0X{serial:08d}"
    return body[:8] + vin_check_digit(body) + body[9:]


@dataclass
class Purchase:
    host: str  # the new dealership's
    car_id: int  # in the dealership's inventory
    model: str  # the car's, unique to this purchase
    status: int = 0
    body: dict = field(default_factory=dict)
    request_id: str = ""  # X-Request-ID the buy request was sent with
    buyer: str = ""  # the buyer's access token
    headers: dict = field(default_factory=dict)  # the buy response's


def dealership_with_a_car(stack: Stack, slug: str, serial: int) -> tuple[str, int, str]:
    """A platform admin creates a dealership through the API and lists a verified car on sale there."""
    admin = stack.admin_token()
    status, body, _ = call("POST", stack.url("/api/dealerships/"), "localhost",
                           {"name": f"{slug.title()} Motors", "slug": slug, "owner": ADMIN["username"]}, admin)
    assert status == 201, body
    host = body["domain"].split(":")[0]
    assert host == f"{slug}.localhost"
    model = f"Model {slug}"
    car = {"make": "Saab", "model": model, "year": 2019, "price": "12500.00", "vin": vin(serial)}
    status, body, _ = call("POST", stack.url("/api/cars/"), host, car, admin)
    assert status == 201, body
    car_id = body["id"]
    for step in ("verify", "put-on-sale"):
        status, body, _ = call("POST", stack.url(f"/api/cars/{car_id}/{step}/"), host, {}, admin)
        assert status == 200, (step, body)
    return host, car_id, model


def funded_buyer(stack: Stack, username: str, amount: str = "20000.00") -> str:
    """A user who signed up and whose credit request a platform admin approved; their access token."""
    credentials = {"username": username, "password": "buyer-Strong-pass-1"}
    status, body, _ = call("POST", stack.url("/api/auth/register/"), "localhost",
                           {**credentials, "email": f"{username}@example.com"})
    assert status == 201, body
    buyer = call("POST", stack.url("/api/auth/token/"), "localhost", credentials)[1]["access"]
    status, body, _ = call("POST", stack.url("/api/wallet/credit-requests/"), "localhost", {"amount": amount}, buyer)
    assert status == 201, body
    status, body, _ = call("POST", stack.url(f"/api/wallet/credit-requests/{body['id']}/approve/"), "localhost", {},
                           stack.admin_token())
    assert status == 200, body
    return buyer


def purchase(stack: Stack, slug: str, serial: int, request_id: str = "") -> Purchase:
    """A new dealership's car bought on the marketplace by a new, funded buyer."""
    host, car_id, model = dealership_with_a_car(stack, slug, serial)
    assert get(stack.url("/healthz"), host)[0] == 200
    buyer = funded_buyer(stack, f"{slug}-buyer")
    headers = {"X-Request-ID": request_id} if request_id else {}
    buy = stack.url(f"/api/cars/{car_id}/buy/?store={slug}")
    status, body, got = call("POST", buy, "localhost", {}, buyer, headers)
    return Purchase(host=host, car_id=car_id, model=model, status=status, body=body, request_id=request_id,
                    buyer=buyer, headers=got)


def mails_about(stack: Stack, text: str, timeout: float = 60) -> list[str]:
    """The e-mails (file backend) that mention `text`, waiting for the first one."""
    deadline = time.monotonic() + timeout
    while not (found := [m for p in stack.folders["mail"].glob("*.log") if text in (m := p.read_text())]):
        assert time.monotonic() < deadline, f"no e-mail about {text}\n" + stack.logs["worker"].read_text()[-4000:]
        time.sleep(0.5)
    return found
