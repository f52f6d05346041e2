"""The page half of the permission matrix: every page x every role x own / other dealership host.

The expectations are tests/reliability/page_table.py (rendered into docs/permissions.md with the API table);
each cell is one real request with a signed-in session, and a page route the table does not list fails
`test_every_page_route_is_in_the_table`.
"""
from __future__ import annotations

import re

import pytest
from django.urls import get_resolver

from tests.reliability import world_fixtures
from tests.reliability.page_table import NOT_PAGES, PAGES
from tests.reliability.permission_table import PATH_DEFAULTS, ROLES
from tests.reliability.test_permission_matrix import URLCONFS, _normalise, _walk
from tests.reliability.world_fixtures import HOSTS, SCHEMA_OF, send

world = world_fixtures.world
REFUSAL = "does not allow this page"  # the sentence of a role's refusal page (demo.pages.views.common)


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.host}:{p.path}")
def test_page_matrix(page, world):
    wheres = ("public",) if page.host == "public" else ("own", "other")
    wrong = []
    for role in ROLES:
        for where in wheres:
            params = {**PATH_DEFAULTS, **world.params(SCHEMA_OF[where], role)}
            path = page.path.format(**params)
            response = send(world.clients[role], "GET", path, HOSTS[where])
            expected = page.expected(role, where)
            problem = _check(response, expected)
            if problem:
                wrong.append(f"{role:>12} on {where:<6} GET {path}: {problem}")
    assert not wrong, "cells that differ from the page table:\n" + "\n".join(wrong)


def _check(response, expected: int) -> str:
    status = response.status_code
    if status != expected:
        return f"got {status}, table says {expected}"
    if status == 302 and not response["Location"].startswith("/accounts/login/"):
        return f"302 to {response['Location']}, not to the sign-in page"
    if status == 403 and "text/html" not in response.get("Content-Type", ""):
        return "403 without the refusal page"
    html = response.get("Content-Type", "").startswith("text/html")
    if status == 200 and html and REFUSAL in response.content.decode():
        return "200 showing the refusal sentence"
    return ""


def page_routes() -> set[tuple[str, str]]:
    found = set()
    for host, urlconf in URLCONFS.items():
        for route, _ in _walk(get_resolver(urlconf).url_patterns):
            if not route.startswith(("api/", "admin/", "static/", "ws/")) and route:
                found.add((host, _normalise(route)))
    return found


def test_every_page_route_is_in_the_table():
    listed = {re.sub(r"\{\w+\}", "{}", p.path) for p in PAGES}
    generic = {re.sub(r"/books/reports/[\w-]+/", "/books/reports/{}/", p) for p in listed}
    missing = sorted(route for _, route in page_routes() if route not in generic | NOT_PAGES)
    assert not missing, f"page routes the page table does not cover (add them, or to NOT_PAGES): {missing}"
