"""The API documentation: every operation has a summary and its error responses; Swagger UI and ReDoc
are served from the site's own static files (drf-spectacular-sidecar), never from a CDN."""
import re

import pytest

from demo.http.openapi_summaries import SUMMARIES
from tests.conftest import host_client

pytestmark = pytest.mark.django_db
HOSTS = ["localhost", "dealer1.localhost"]


def _operations(host):
    spec = host_client(host).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return {f"{method.upper()} {path}": op for path, methods in spec["paths"].items() for method, op in methods.items()}


def test_every_operation_has_a_summary_and_documents_its_errors():
    seen = set()
    for host in HOSTS:
        for key, operation in _operations(host).items():
            seen.add(key)
            assert operation.get("summary", "").strip(), f"{host}: {key} has no summary"
            errors = [code for code in operation["responses"] if code.startswith(("4", "5"))]
            assert errors, f"{host}: {key} documents no error response"
            for code in errors:
                body = operation["responses"][code]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/ApiError"}, (key, code)
    assert set(SUMMARIES) <= seen, f"summaries of no operation: {sorted(set(SUMMARIES) - seen)}"


@pytest.mark.parametrize("host", HOSTS)
def test_the_jwt_bearer_scheme_is_published_for_token_operations(host):
    """The site's JWT authentication class is documented as a bearer scheme, so a client (and the fuzzer)
    may call an operation with a token instead of a session cookie."""
    spec = host_client(host).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert spec["components"]["securitySchemes"]["jwtAuth"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    me = spec["paths"]["/api/auth/me/"]["get"]
    assert {"jwtAuth": []} in me["security"], me["security"]


# Idempotent by the object's state: the required key is not stored, and the documentation says so.
@pytest.mark.parametrize("operation", ["POST /api/payroll/runs/{id}/pay/", "POST /api/leads/commissions/{id}/payout/"])
def test_pay_operations_document_a_required_but_unstored_key(operation):
    op = _operations("dealer1.localhost")[operation]
    (header,) = [p for p in op["parameters"] if p["in"] == "header" and p["name"] == "Idempotency-Key"]
    assert header["required"] is True
    text = " ".join(op["description"].split())
    assert "`Idempotency-Key` is required but not stored" in text and "whatever the key" in text, text


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
@pytest.mark.parametrize("host", HOSTS)
def test_docs_pages_load_their_assets_from_this_site(host, page):
    client = host_client(host)
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower() and "@latest" not in html
    assets = re.findall(r'(?:src|href)="(/static/drf_spectacular_sidecar/[^"]+)"', html)
    assert any(a.endswith(".js") for a in assets), html[:500]
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert b"".join(served.streaming_content if served.streaming else [served.content])
