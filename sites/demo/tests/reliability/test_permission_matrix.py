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
from tests.reliability.permission_table import MEMBERS, OPEN_PREFIXES, OPS, PATH_DEFAULTS, ROLES, render_markdown
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
    wheres = ("public",) if op.host == "public" else ("own", "other")
    wrong = []
    for role in ROLES:
        client = world.clients[role]
        for where in wheres:
            params = {**PATH_DEFAULTS, **world.params(SCHEMA_OF[where], role)}
            path = op.path.format(**params)
            response = send(client, op.method, path, HOSTS[where], fill(op.body, params))
            expected = op.expected(role, where)
            problem = _check(response, expected, op, role, where)
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
