"""Issue #10's tenant isolation probes: an id that exists only in another dealership's schema is a 404.

For every tenant-scoped resource (inventory cars and their images, leads and their timeline, sales,
commissions, employees and their history and salaries, payroll runs, payslips, accounting entries and
reports), ids of dealer2 used on dealer1's host (and the other way round) answer 404: never 200 (a leak)
and never 403 (which would reveal that the id exists). This holds by API and by page, for the dealer of
the host, for a platform admin, and for a user who is a member of BOTH dealerships (the schema of the
host decides, not the user's memberships). Each probe has a control: the same request with the same ids
on their own dealership's host is not a 404, so a 404 here is never a typo in a path.

The world (matrix_world.py) puts each dealership's ids in a disjoint range, so the foreign id names no row
at all in the host's schema.
"""
from __future__ import annotations

import re

import pytest

from tests.reliability import world_fixtures
from tests.reliability.world_fixtures import HOSTS, fill, send

world = world_fixtures.world
pytestmark = pytest.mark.django_db

# (method, path, body): {names} are ids of the *foreign* dealership (World.params).
API_PROBES = [
    ("GET", "/api/cars/{car_draft}/", None),
    ("GET", "/api/cars/{car_listed}/", None),
    ("PATCH", "/api/cars/{car_draft}/", {"price": "1.00"}),
    ("DELETE", "/api/cars/{car_draft}/", None),
    ("GET", "/api/cars/{car_draft}/history/", None),
    ("GET", "/api/cars/{car_draft}/analytics/", None),
    ("POST", "/api/cars/{car_draft}/put-on-sale/", {}),
    ("POST", "/api/cars/{car_listed}/return-from-sale/", {}),
    ("POST", "/api/cars/{car_draft}/feature/", {"days": 1}),
    ("POST", "/api/cars/{car_listed}/buy/", {}),
    ("POST", "/api/cars/{car_listed}/save/", {}),
    ("POST", "/api/cars/{car_draft}/images/reorder/", {"ids": ["{image}"]}),
    ("DELETE", "/api/cars/{car_draft}/images/{image}/", None),
    ("GET", "/api/leads/{lead}/", None),
    ("PATCH", "/api/leads/{lead}/", {"notes": "x"}),
    ("PATCH", "/api/leads/{lead}/update_status/", {"status": "contacted"}),
    ("POST", "/api/leads/{lead}/assign/", {"agent": None}),
    ("GET", "/api/leads/{lead}/timeline/", None),
    ("POST", "/api/leads/commissions/{commission}/payout/", {}),
    ("GET", "/api/hr/employees/{employee}/", None),
    ("PATCH", "/api/hr/employees/{employee}/", {"position": "x"}),
    ("POST", "/api/hr/employees/{employee}/terminate/", {"termination_date": "2026-12-31"}),
    ("GET", "/api/hr/employees/{employee}/history/", None),
    ("GET", "/api/hr/employees/{employee}/salaries/", None),
    ("POST", "/api/hr/employees/{employee}/salaries/", {"effective_from": "2026-03-01", "base_salary": "1.00"}),
    ("GET", "/api/payroll/runs/{run}/", None),
    ("GET", "/api/payroll/runs/{run}/csv/", None),
    ("POST", "/api/payroll/runs/{run}/calculate/", {}),
    ("POST", "/api/payroll/runs/{run}/approve/", {}),
    ("POST", "/api/payroll/runs/{run}/pay/", {}),
    ("GET", "/api/payroll/payslips/{payslip}/", None),
    ("GET", "/api/payroll/payslips/{payslip}/csv/", None),
    ("GET", "/api/payroll/payslips/{payslip}/pdf/", None),
]
PAGE_PROBES = [
    ("GET", "/inventory/{car_draft}/edit/", None),
    ("POST", "/inventory/{car_draft}/action/", {"action": "put_on_sale"}),
    ("GET", "/leads/{lead}/", None),
    ("POST", "/leads/{lead}/move/", {"status": "contacted"}),
    ("POST", "/leads/{lead}/assign/", {"agent": ""}),
    ("GET", "/employees/{employee}/", None),
    ("POST", "/employees/{employee}/salary/", {"effective_from": "2026-03-01", "base_salary": "1.00"}),
    ("GET", "/payroll/{run}/", None),
    ("POST", "/payroll/{run}/action/", {"action": "calculate"}),
    ("GET", "/payslips/{payslip}.pdf", None),
]
# (who asks, on which host, whose ids): the foreign ids never name a row of the host's schema.
SCENARIOS = {
    "dealer1-dealer-with-dealer2-ids": ("dealer", "own", "dealer2"),
    "member-of-both-with-dealer2-ids-on-dealer1": ("both", "own", "dealer2"),
    "member-of-both-with-dealer1-ids-on-dealer2": ("both", "other", "dealer1"),
    "dealer2-dealer-with-dealer1-ids": ("d2_dealer", "other", "dealer1"),
    "platform-admin-with-dealer2-ids-on-dealer1": ("admin", "own", "dealer2"),
}
HOME = {"dealer1": "own", "dealer2": "other"}


def _request(world, user: str, where: str, schema: str, method: str, template: str, body, page: bool):
    params = world.params(schema, user)
    client = world.clients[user]
    path = template.format(**params)
    if page and body is not None:  # a form post
        return path, send_form(client, path, HOSTS[where], fill(body, params))
    return path, send(client, method, path, HOSTS[where], fill(body, params))


def send_form(client, path, host, data):
    from django.db import connection, transaction

    savepoint = transaction.savepoint()
    try:
        return client.post(path, data, HTTP_HOST=host)
    finally:
        transaction.savepoint_rollback(savepoint)
        connection.set_schema_to_public()


def _probe(world, probes, page: bool):
    wrong = []
    for name, (user, where, schema) in SCENARIOS.items():
        for method, template, body in probes:
            path, response = _request(world, user, where, schema, method, template, body, page)
            if response.status_code != 404:
                wrong.append(f"{name}: {method} {path} on {HOSTS[where]} -> {response.status_code} "
                             f"{response.content[:160]!r}")
            elif not page and "code" not in response.json():
                wrong.append(f"{name}: {method} {path}: 404 without the error shape")
    return wrong


def _controls(world, probes, page: bool):
    """The same requests by the member of both, on the ids' own host: found (not a 404, not a 5xx)."""
    wrong = []
    for schema, where in HOME.items():
        for method, template, body in probes:
            path, response = _request(world, "both", where, schema, method, template, body, page)
            if response.status_code == 404 or response.status_code >= 500:
                wrong.append(f"control {method} {path} on {HOSTS[where]} -> {response.status_code}")
    return wrong


def test_foreign_ids_are_404_by_api(world):
    wrong = _controls(world, API_PROBES, page=False) + _probe(world, API_PROBES, page=False)
    assert not wrong, "\n".join(wrong)


def test_foreign_ids_are_404_by_page(world):
    wrong = _controls(world, PAGE_PROBES, page=True) + _probe(world, PAGE_PROBES, page=True)
    assert not wrong, "\n".join(wrong)


def test_foreign_ids_are_404_with_a_jwt_too(world):
    """The members-only middleware authenticates bearer tokens itself; the schema still decides."""
    from django.test import Client
    from rest_framework_simplejwt.tokens import AccessToken

    token = f"Bearer {AccessToken.for_user(world.users['both'])}"
    client = Client(raise_request_exception=False)
    d1, d2 = world.params("dealer1", "both"), world.params("dealer2", "both")
    own = send(client, "GET", f"/api/leads/{d1['lead']}/", HOSTS["own"], HTTP_AUTHORIZATION=token)
    foreign = send(client, "GET", f"/api/leads/{d2['lead']}/", HOSTS["own"], HTTP_AUTHORIZATION=token)
    assert (own.status_code, foreign.status_code) == (200, 404), (own.content, foreign.content)
    outsider = f"Bearer {AccessToken.for_user(world.users['dealer'])}"
    refused = send(client, "GET", f"/api/leads/{d2['lead']}/", HOSTS["other"], HTTP_AUTHORIZATION=outsider)
    assert refused.status_code == 403 and refused.json()["code"] == "not_a_member"


# (list path, the JSON key of the row ids, the Store field whose id must (not) be listed)
LISTS = [
    ("/api/cars/mine/", "id", "car_draft"),
    ("/api/leads/", "id", "lead"),
    ("/api/leads/sales/", "id", "sale"),
    ("/api/leads/commissions/", "id", "commission"),
    ("/api/hr/employees/", "id", "employee"),
    ("/api/payroll/runs/", "id", "run"),
    ("/api/payroll/payslips/", "id", "payslip"),
    ("/api/books/entries/", "id", "entry"),
    ("/api/leads/commission-rules/", "id", "commission_rule"),
    ("/api/leads/agents/", "user_id", "agent_user"),
]


def _rows(body) -> list:
    return body["results"] if isinstance(body, dict) else body


@pytest.mark.parametrize("user", ["both", "admin"])
def test_lists_show_only_the_hosts_rows(world, user):
    wrong = []
    for schema, where in HOME.items():
        mine = world.params(schema, user)
        theirs = world.params("dealer2" if schema == "dealer1" else "dealer1", user)
        for path, key, field in LISTS:
            response = send(world.clients[user], "GET", f"{path}?page_size=100&limit=200", HOSTS[where])
            assert response.status_code == 200, (path, response.content)
            ids = {row[key] for row in _rows(response.json())}
            if mine[field] not in ids or theirs[field] in ids:
                wrong.append(f"{path} on {HOSTS[where]}: ids {sorted(ids)}; own {mine[field]}, other {theirs[field]}")
    assert not wrong, "\n".join(wrong)


def test_a_filter_on_a_foreign_run_finds_nothing(world):
    d2 = world.params("dealer2", "both")
    response = send(world.clients["both"], "GET", f"/api/payroll/payslips/?run={d2['run']}", HOSTS["own"])
    assert response.status_code == 200 and response.json()["results"] == []


PAGES = ["/inventory/", "/leads/", "/sales/", "/employees/", "/payroll/", "/books/"]


@pytest.mark.parametrize("user", ["both", "admin"])
def test_pages_show_only_the_hosts_rows(world, user):
    """Every dealership page of dealer1 names dealer1's rows (tagged DEALER1) and none of dealer2's."""
    wrong = []
    for where, mine, theirs in (("own", "DEALER1", "DEALER2"), ("other", "DEALER2", "DEALER1")):
        seen_mine = False
        for path in PAGES:
            response = send(world.clients[user], "GET", path, HOSTS[where])
            assert response.status_code == 200, (path, where, response.status_code)
            html = response.content.decode()
            seen_mine |= mine in html
            if re.search(rf"\b{theirs}\b", html):
                wrong.append(f"{path} on {HOSTS[where]} shows a {theirs} row")
        if not seen_mine:
            wrong.append(f"no page on {HOSTS[where]} shows its own {mine} rows (the probe would be vacuous)")
    assert not wrong, "\n".join(wrong)


def test_another_stores_unlisted_car_is_hidden_on_this_host(world):
    """`?store=` lets the marketplace name any store's car; an unlisted one stays visible only to the people
    who manage it in ITS dealership (dealer1's dealer on dealer1's host is not one of them for dealer2)."""
    d2 = world.params("dealer2", "dealer")
    for path in (f"/api/cars/{d2['car_draft']}/?store=dealer2", f"/api/cars/{d2['car_draft']}/history/?store=dealer2"):
        response = send(world.clients["dealer"], "GET", path, HOSTS["own"])
        assert response.status_code == 404, (path, response.status_code, response.content[:200])
    listed = send(world.clients["dealer"], "GET", f"/api/cars/{d2['car_listed']}/?store=dealer2", HOSTS["own"])
    assert listed.status_code == 200  # a listed car is public: the marketplace shows it to anyone


def test_another_users_notification_is_404(world):
    d2_note = world.notifications["d2_dealer"]
    response = send(world.clients["dealer"], "POST", f"/api/notifications/{d2_note}/read/", HOSTS["own"])
    assert response.status_code == 404


def test_saving_or_tracking_another_stores_unlisted_car_is_404(world):
    """Saving or tracking names a store with `?store=`: an unlisted car there is as invisible as on GET (a 201
    or 200 would confirm that the id exists in that dealership, and record interactions on it)."""
    d2 = world.params("dealer2", "buyer")
    for user, host in (("buyer", HOSTS["public"]), ("dealer", HOSTS["own"])):
        for path, body in ((f"/api/cars/{d2['car_draft']}/save/?store=dealer2", None),
                           (f"/api/cars/{d2['car_draft']}/track/?store=dealer2", {"kind": "view"})):
            response = send(world.clients[user], "POST", path, host, body)
            assert response.status_code == 404, (user, path, response.status_code, response.content[:200])
    listed = send(world.clients["buyer"], "POST", f"/api/cars/{d2['car_listed']}/save/?store=dealer2", HOSTS["public"])
    assert listed.status_code == 201  # a listed car is saved from any host


@pytest.mark.parametrize("user", ["both", "admin"])
def test_reports_add_up_only_the_hosts_entries(world, user):
    """Reports aggregate the host's schema only: dealer1's other income is its 250.00, never plus dealer2's
    777.00."""
    february = "?date_from=2026-02-01&date_to=2026-02-28"
    for schema, where in HOME.items():
        mine = world.params(schema, user)
        other = world.params("dealer2" if schema == "dealer1" else "dealer1", user)
        client = world.clients[user]
        pnl = send(client, "GET", f"/api/books/reports/profit-and-loss/{february}", HOSTS[where]).json()
        totals = {row["code"]: row["amount"] for row in pnl["income"]}
        assert totals.get("4900") == mine["entry_amount"], (where, pnl)
        csv = send(client, "GET", f"/api/books/reports/profit-and-loss/csv/{february}", HOSTS[where]).content.decode()
        assert mine["entry_amount"] in csv and other["entry_amount"] not in csv, (where, csv)
