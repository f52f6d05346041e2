"""Issue #10's permission matrix: every API operation x every role x own / other dealership.

The expectations are tests/reliability/permission_table.py (rendered to docs/permissions.md); this module
makes one real request per cell (session auth, real PostgreSQL schemas, the real middleware and views) and
reports every cell that differs. A route the table does not list fails `test_every_api_route_is_in_the_table`.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.reliability import world_fixtures
from tests.reliability.permission_table import (
    INVENTORY,
    KEYLESS_OPS,
    MEMBERS,
    OPEN_PREFIXES,
    OPS,
    PATH_DEFAULTS,
    ROLES,
    render_markdown,
)
from tests.reliability.world_fixtures import HOSTS, SCHEMA_OF, fill, send

DOC = Path(__file__).resolve().parents[4] / "docs" / "permissions.md"
URLCONFS = {"public": "demo.urls_public", "dealer": "demo.urls_tenant"}
SKIPPED_METHODS = {"options", "head", "trace"}  # DRF's metadata/HEAD answers follow GET's gate
world = world_fixtures.world


def _op_id(op) -> str:
    return f"{op.host}:{op.method}:{op.path}"


@pytest.mark.django_db
@pytest.mark.parametrize("op", OPS, ids=_op_id)
def test_permission_matrix(op, world):
    _assert_cells(op, world, keyed=True)


@pytest.mark.django_db
@pytest.mark.parametrize("op", KEYLESS_OPS, ids=_op_id)
def test_money_moving_operations_without_a_key(op, world):
    """The same operations without Idempotency-Key: the permission check still answers first (401, 403), then
    every caller it lets through is refused with 400 idempotency_key_required, whatever the object."""
    _assert_cells(op, world, keyed=False, code="idempotency_key_required")


def _assert_cells(op, world, *, keyed: bool, code: str = "") -> None:
    wheres = ("public",) if op.host == "public" else ("own", "other")
    wrong = []
    for role in ROLES:
        client = world.clients[role]
        for where in wheres:
            params = {**PATH_DEFAULTS, **world.params(SCHEMA_OF[where], role)}
            path = op.path.format(**params)
            response = send(client, op.method, path, HOSTS[where], fill(op.body, params), keyed=keyed)
            expected = op.expected(role, where)
            problem = _check(response, expected, op, role, where)
            if not problem and code and expected == 400 and response.json()["code"] != code:
                problem = f"400 {response.json()['code']!r}, not {code!r}"
            if problem:
                wrong.append(f"{role:>12} on {where:<6} {op.method} {path}: {problem}")
    assert not wrong, "cells that differ from the table:\n" + "\n".join(wrong)


def _check(response, expected: int, op, role: str, where: str) -> str:
    status = response.status_code
    if status != expected:
        return f"got {status}, table says {expected}: {response.content[:200]!r}"
    if status in (401, 403, 404) or (status >= 400 and "json" in response.get("Content-Type", "")):
        try:
            body = response.json()
        except ValueError:
            return f"{status} without the JSON error shape: {response.content[:120]!r}"
        if not (isinstance(body, dict) and isinstance(body.get("code"), str) and "message" in body):
            return f"{status} without the error shape {{code, message, fields}}: {body!r}"
        at_the_door = where == "other" and role in MEMBERS and not op.path.startswith(OPEN_PREFIXES)
        if at_the_door and status == 403 and body["code"] != "not_a_member":
            return f"403 on another dealership's host should be not_a_member, got {body['code']!r}"
    return ""


# -- the table covers every route ----------------------------------------------------------------------------
def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _normalise(route: str) -> str:
    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "{}", route)
    route = re.sub(r"<(?:\w+:)?\w+>", "{}", route)
    return "/" + route


def _methods(callback) -> set[str]:
    actions = getattr(callback, "actions", None)
    if actions:
        return {m.upper() for m in actions if m not in SKIPPED_METHODS}
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view is None:
        return {"GET"}  # a plain function view: at least GET
    return {m.upper() for m in view.http_method_names if m not in SKIPPED_METHODS and hasattr(view, m)}


def api_operations() -> set[tuple[str, str, str]]:
    found = set()
    for host, urlconf in URLCONFS.items():
        for route, callback in _walk(get_resolver(urlconf).url_patterns):
            if route.startswith("api/"):
                found |= {(host, method, _normalise(route)) for method in _methods(callback)}
    return found


def test_every_api_route_is_in_the_table():
    table = {(op.host, op.method, re.sub(r"\{\w+\}", "{}", op.path)) for op in OPS}
    routes = api_operations()
    assert len(table) == len(OPS), "an operation is listed twice"
    assert not routes - table, f"API operations the permission table does not cover: {sorted(routes - table)}"
    assert not table - routes, f"table rows for operations that no longer exist: {sorted(table - routes)}"


def test_docs_permissions_md_is_the_rendered_table():
    assert DOC.read_text() == render_markdown(), (
        "docs/permissions.md is out of date: cd sites/demo && ../../.venv/bin/python -m "
        "tests.reliability.permission_table")


# -- no existence oracle: an object the caller may not see answers like one that does not exist -------------
# Each hidden object, the read that says whether the caller sees it, and an id that names nothing.
HIDDEN = {
    "car_draft": ("/api/cars/{car_draft}/", 999_999_999),
    "pub_draft": ("/api/cars/{pub_draft}/", 999_999_999),
    "lead": ("/api/leads/{lead}/", 999_999_999),
    "payslip": ("/api/payroll/payslips/{payslip}/", 999_999_999),
    "order": ("/api/trading/orders/{order}/", "00000000-0000-0000-0000-000000000000"),
}


def _hidden_ops():
    for op in OPS:
        for name in HIDDEN:
            if "{" + name + "}" in op.path and HIDDEN[name][0] != op.path:
                yield pytest.param(op, name, id=f"{_op_id(op)}:{name}")


def _answer(response) -> tuple[int, str | None]:
    try:
        body = response.json()
    except ValueError:
        body = None
    return response.status_code, body.get("code") if isinstance(body, dict) else None


@pytest.mark.django_db
@pytest.mark.parametrize(("op", "name"), list(_hidden_ops()))
def test_a_hidden_object_answers_every_operation_like_a_missing_one(op, name, world):
    """Whoever may not read the object gets, for every other operation on it (buy, save, edit, verify, ...),
    exactly the status and code a missing id gets: no answer tells that it exists."""
    read, missing = HIDDEN[name]
    wheres = ("public",) if op.host == "public" else ("own", "other")
    leaks = []
    for role in ROLES:
        client = world.clients[role]
        for where in wheres:
            params = {**PATH_DEFAULTS, **world.params(SCHEMA_OF[where], role)}
            if send(client, "GET", read.format(**params), HOSTS[where]).status_code == 200:
                continue  # the caller sees it: the table above holds the answer
            real = _answer(send(client, op.method, op.path.format(**params), HOSTS[where], fill(op.body, params)))
            gone = {**params, name: missing}
            absent = _answer(send(client, op.method, op.path.format(**gone), HOSTS[where], fill(op.body, gone)))
            if real != absent:
                leaks.append(f"{role} on {where}: hidden {real}, missing {absent}")
    assert not leaks, f"{op.method} {op.path} tells a hidden {name} from a missing one:\n" + "\n".join(leaks)


STORE_OPS = [  # the car operations that name another store with ?store= (the marketplace host reaches all)
    ("GET", "/api/cars/{car_draft}/?store=dealer1", None),
     ("GET", "/api/cars/{car_draft}/history/?store=dealer1", None),
    ("POST", "/api/cars/{car_draft}/buy/?store=dealer1", None),
     ("POST", "/api/cars/{car_draft}/save/?store=dealer1", None),
    ("POST", "/api/cars/{car_draft}/track/?store=dealer1", {"kind": "view"}),
    ("POST", "/api/cars/{car_draft}/verify/?store=dealer1", None),
    ("POST", "/api/cars/{car_draft}/reject/?store=dealer1", {"reason": "blurry"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "body"), STORE_OPS, ids=[f"{m} {p}" for m, p, _ in STORE_OPS])
def test_another_stores_unlisted_car_is_a_404_from_the_marketplace(method, path, body, world):
    """The issue's probe: `POST /api/cars/<draft>/buy/?store=dealer2` answered 409 car_not_available for an
    unlisted car and 404 for a missing one. From the marketplace host every operation is now a 404 to
    anyone who cannot see the car: everyone but dealer1's inventory managers and the platform admin."""
    for role in ROLES:
        if role in INVENTORY:
            continue
        params = {**PATH_DEFAULTS, **world.params("dealer1", role)}
        response = send(world.clients[role], method, path.format(**params), HOSTS["public"], body)
        expected = 401 if role == "anonymous" and method == "POST" and "track" not in path else 404
        assert response.status_code == expected, (role, response.status_code, response.content[:200])
        if expected == 404:
            assert response.json()["code"] == "car_not_found", (role, response.json())
