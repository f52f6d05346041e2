"""One purchase followed by its request id: the HTTP log line, the worker's lines of the relay that mails it.

Every line is JSON with request_id, schema and user_id (demo/observability/logs.py); the id comes from
X-Request-ID (or is made up), is answered back, and travels in the Celery task headers.
"""
from __future__ import annotations

import json
import re
import time
import uuid

from .flows import mails_about, purchase
from .servers import call, get


def json_lines(path) -> list[dict]:
    lines = []
    for line in path.read_text().splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
    return lines


def test_a_purchase_is_followed_from_its_http_line_to_the_relay_lines_that_mail_it(stack):
    request_id = f"trace-{uuid.uuid4().hex}"
    bought = purchase(stack, "trace", 4, request_id=request_id)
    assert bought.status == 201, bought.body
    assert bought.headers.get("x-request-id") == request_id
    buyer_id = call("GET", stack.url("/api/auth/me/"), "localhost", token=bought.buyer)[1]["id"]
    mails_about(stack, bought.model)

    http = [line for line in json_lines(stack.logs["web"]) if line.get("request_id") == request_id]
    assert len(http) == 1, http
    assert http[0]["logger"] == "forecourt.request" and http[0]["status"] == 201 and http[0]["method"] == "POST"
    assert http[0]["path"] == f"/api/cars/{bought.car_id}/buy/" and http[0]["user_id"] == buyer_id
    assert http[0]["schema"] == "public" and http[0]["queries"] > 0

    deadline = time.monotonic() + 30
    while True:
        tasks = [line for line in json_lines(stack.logs["worker"]) if line.get("request_id") == request_id]
        # The e-mail is an event of its own, relayed (and sent) under the purchase's request id.
        mailed = [line for line in tasks if line.get("data", {}).get("name") == "forecourt_events.relay"
                  and "succeeded" in line["message"]]
        if mailed:
            break
        assert time.monotonic() < deadline, tasks or stack.logs["worker"].read_text()[-3000:]
        time.sleep(0.5)
    assert all(line["level"] == "INFO" for line in tasks), tasks  # nothing went wrong on the way
    # The domain events the purchase recorded carry the id too.
    import psycopg

    with psycopg.connect(stack.database_url) as conn:
        kinds = [row[0] for row in conn.execute(
            "SELECT kind FROM forecourt_events_event WHERE request_id = %s", [request_id])]
    assert "car_listing.car_purchased" in kinds, kinds


def test_a_request_without_a_usable_id_gets_one_made_up(stack):
    status, _, headers = get(stack.url("/api/ping/"), "localhost")
    assert status == 200 and re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"])
    status, _, headers = get(stack.url("/api/ping/"), "localhost", {"X-Request-ID": "bad id\twith spaces"})
    assert status == 200 and re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"])
    status, _, headers = get(stack.url("/api/ping/"), "localhost", {"X-Request-ID": "x" * 129})
    assert re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"])
    assert get(stack.url("/api/ping/"), "localhost", {"X-Request-ID": "lb-7f3a.1"})[2]["x-request-id"] == "lb-7f3a.1"
