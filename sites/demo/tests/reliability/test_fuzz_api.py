"""Schemathesis against the site's own /api/schema/ on a live uvicorn, on the marketplace and on dealer1.

Every operation of each host's schema gets FUZZ_EXAMPLES generated cases (default 6; positive and negative
data mixed, derandomized so a run is repeatable). The first case of each operation is sent as every role:
anonymous, buyer, the six dealership roles (members of dealer1) and the platform admin; the others as one
role each, in turn. Public-data APIs get that first case only on dealer1 (fuzzed in full on the marketplace).
Each response must be
- no 5xx;
- conformant to the schema: a documented status code, content type, headers and body;
- in the project's error shape when it is a 4xx: {"code": str, "message": str, "fields"?: {...}}.
A second pass sends only negative data (what the schema forbids), FUZZ_NEGATIVE_EXAMPLES cases per operation
(default 4), as the platform admin, under schemathesis's negative_data_rejection check: each must be a 4xx.
Failures are collected over the whole run and reported together (operation, role, status, why, curl).
After the run the ledger verifies clean (`verify_ledger`): whatever the fuzzer managed to buy, pay or
trade, the money balanced.
"""
from __future__ import annotations

import os
import time
from collections import Counter

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ._fuzz_live import DEALER_HOST, PUBLIC_HOST, ROLES, live_site  # noqa: F401 - fixture

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
NEGATIVE_EXAMPLES = int(os.environ.get("FUZZ_NEGATIVE_EXAMPLES", "4"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
HOSTS = {"marketplace": PUBLIC_HOST, "dealer1": DEALER_HOST}
# Public-schema APIs answer the same on every host once past the members-only middleware: fuzzed in full on
# the marketplace, and on dealer1 with one case sent as every role (the middleware's part).
PUBLIC_DATA_PREFIXES = ("/api/wallet/", "/api/trading/", "/api/notifications/", "/api/auth/")


def error_shape_problem(response) -> str | None:
    """Why a 4xx body is not {code, message, fields?}; None when it is."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = response.json()
    except ValueError:
        return f"not JSON: {response.text[:200]!r}"
    if not isinstance(body, dict):
        return f"not an object: {body!r}"[:300]
    if not isinstance(body.get("code"), str) or not body["code"]:
        return f"no string `code`: {body!r}"[:300]
    if not isinstance(body.get("message"), str):
        return f"no string `message`: {body!r}"[:300]
    if "fields" in body and not isinstance(body["fields"], dict):
        return f"`fields` is not an object: {body!r}"[:300]
    unknown = set(body) - {"code", "message", "fields", "details"}
    if unknown:
        return f"unexpected keys {sorted(unknown)}: {body!r}"[:300]
    return None


class Run:
    """What the fuzzer saw on one host: failures (deduplicated by operation, role and reason) and counts."""

    def __init__(self, site, host):
        self.site, self.host = site, host
        self.failures: dict[tuple, str] = {}
        self.statuses: Counter = Counter()
        self.session = requests.Session()
        self.retried = 0
        self.waited = 0.0

    def send(self, case, role: str, checks=CHECKS) -> None:
        label = case.operation.label
        headers = self.site.headers(role, self.host)
        try:
            response = self._call(case, headers)
        except schemathesis.errors.SerializationNotPossible:
            return
        self.statuses[(label, role, response.status_code // 100)] += 1
        try:
            case.validate_response(response, checks=checks, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                key = (label, role, response.status_code, failure.title)
                self.failures.setdefault(key, f"{failure.message}\n  {case.as_curl_command(headers=headers)}")
        problem = error_shape_problem(response)
        if problem:
            key = (label, role, response.status_code, "error shape")
            self.failures.setdefault(key, f"{problem}\n  {case.as_curl_command(headers=headers)}")

    def _call(self, case, headers):
        """The shared PostgreSQL of a busy CI box can be out of connections for a moment: the site answers a
        clean 503 `service_unavailable` (its documented behaviour, tested in its own right); ask again."""
        for attempt in range(6):
            self.session.cookies.clear()  # each role is its token alone, never a cookie a response set
            asked = time.monotonic()
            response = case.call(base_url=self.site.base, session=self.session, headers=headers, timeout=60)
            self.waited += time.monotonic() - asked
            if response.status_code != 503 or "service_unavailable" not in response.text:
                break
            self.retried += 1
            time.sleep(0.5 * (attempt + 1))
        return response

    def report(self) -> str:
        lines = [f"{len(self.failures)} failures on {self.host}:"]
        for (label, role, status, title), detail in sorted(self.failures.items()):
            lines.append(f"- {label} as {role}: {status} {title}\n  {detail[:700]}")
        if any(status >= 500 for (_, _, status, _) in self.failures):
            lines.append(f"server log tail:\n{self.site.log_tail()}")
        return "\n".join(lines)


def _fuzz_operation(run: Run, operation, examples: int) -> None:
    """The first case goes out as every role (so each operation x role is exercised); the following ones as
    one role each, in turn, so more distinct inputs fit in the same time."""
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))
    sent = iter(range(10**9))

    @given(case=strategy)
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def fuzz(case):
        n = next(sent)
        for role in ROLES if n == 0 else [ROLES[n % len(ROLES)]]:
            run.send(case, role)

    fuzz()


@pytest.mark.parametrize("host_name", list(HOSTS))
def test_every_operation_as_every_role(live_site, host_name, django_db_blocker):  # noqa: F811 - fixture
    host = HOSTS[host_name]
    schema = schemathesis.openapi.from_url(f"{live_site.base}/api/schema/?format=json",
                                           headers=live_site.headers("admin", host), timeout=60)
    run = Run(live_site, host)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20, "the schema lost its operations"
    started = time.monotonic()
    for operation in operations:
        once = host != PUBLIC_HOST and operation.path.startswith(PUBLIC_DATA_PREFIXES)
        _fuzz_operation(run, operation, 1 if once else EXAMPLES)

    sent = sum(run.statuses.values())
    succeeded = {label for (label, _, klass), n in run.statuses.items() if klass == 2}
    print(f"\n{host}: {len(operations)} operations, {sent} requests ({run.retried} retried after a 503), "
          f"{len(succeeded)} operations answered 2xx at least once, {len(run.failures)} failures, "
          f"{time.monotonic() - started:.0f} s ({run.waited:.0f} s waiting for answers)")
    exercised = {(label, role) for (label, role, _) in run.statuses}
    assert exercised == {(op.label, role) for op in operations for role in ROLES}, "an operation x role was never sent"
    assert not run.failures, run.report()

    from django_wallet.verification import verify_ledger

    with django_db_blocker.unblock():
        report = verify_ledger()
    assert report.ok, report.as_dict()


@pytest.mark.parametrize("host_name", list(HOSTS))
def test_every_operation_refuses_what_its_schema_refuses(live_site, host_name):  # noqa: F811 - fixture
    """Negative data only (input the published schema forbids: wrong types, out-of-range numbers, missing or
    extra required parts, malformed headers), NEGATIVE_EXAMPLES cases per operation, as the platform admin (whom
    no permission check stops first): schemathesis's negative_data_rejection check, so every such request is a
    4xx, and the error shape; the API refuses what its schema refuses, or the schema says what it accepts."""
    host = HOSTS[host_name]
    schema = schemathesis.openapi.from_url(f"{live_site.base}/api/schema/?format=json",
                                           headers=live_site.headers("admin", host), timeout=60)
    run = Run(live_site, host)
    checks = [not_a_server_error, negative_data_rejection]
    for operation in [result.ok() for result in schema.get_all_operations()]:
        if host != PUBLIC_HOST and operation.path.startswith(PUBLIC_DATA_PREFIXES):
            continue  # the same views as on the marketplace

        @given(case=operation.as_strategy(GenerationMode.NEGATIVE))
        @settings(max_examples=NEGATIVE_EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def refuse(case):
            run.send(case, "admin", checks=checks)

        refuse()
    print(f"\n{host}: {sum(run.statuses.values())} negative requests, {len(run.failures)} failures")
    assert not run.failures, run.report()
