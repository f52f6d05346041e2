"""The exception handler and pagination, through Django's full request stack."""
import pytest
from django.test import Client

pytestmark = pytest.mark.urls("tests.urls")


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(("kind", "status", "body"), [
    ("insufficient", 409, {"code": "insufficient_funds", "message": "The account's available balance is too low."}),
    ("custom", 409, {"code": "car_sold", "message": "The car was sold."}),
    ("fields", 404, {"code": "not_found", "message": "Not found.", "fields": {"car": ["No such car."]}}),
    ("http404", 404, {"code": "not_found", "message": "Not found."}),
    ("denied", 403, {"code": "permission_denied", "message": "You do not have permission to perform this action."}),
    ("django-validation", 400, {"code": "validation_error", "message": "Some fields are invalid.",
                                "fields": {"vin": ["Bad VIN."]}}),
    ("too-big", 413, {"code": "request_too_large", "message": "The request body is too large."}),
    ("throttled", 429, {"code": "throttled", "message": "Request was throttled. Expected available in 7 seconds."}),
])
def test_every_refusal_is_the_error_shape(client, kind, status, body):
    response = client.get(f"/raise/{kind}/")
    assert (response.status_code, response.json()) == (status, body)


@pytest.mark.parametrize(("kind", "service"), [("database-gone", "database"), ("redis-gone", "redis")])
def test_a_lost_backing_service_is_a_503_to_retry(client, kind, service):
    response = client.get(f"/raise/{kind}/")
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert response.json() == {"code": "service_unavailable",
                               "message": f"The {service} is unavailable; try again shortly."}


def test_a_refusal_that_passes_with_time_says_when_to_retry(client):
    response = client.get("/raise/locked/")
    assert (response.status_code, response["Retry-After"]) == (429, "60")
    assert response.json() == {"code": "account_locked", "message": "Locked for a minute."}
    assert not client.get("/raise/custom/").has_header("Retry-After")


def test_a_bug_is_left_to_django_as_a_500(client):
    assert client.get("/raise/bug/").status_code == 500


def _pay(client, body, **headers):
    return client.post("/pay/", body, content_type="application/json", headers=headers)


def test_an_amount_field_refusal_is_invalid_amount_naming_the_field(client):
    for amount in ["\u0661\u0660", "10.005", "NaN", "-1", 10, 10.5, True]:
        response = _pay(client, {"amount": amount})
        assert response.status_code == 400, amount
        assert response.json()["code"] == "invalid_amount" and list(response.json()["fields"]) == ["amount"], amount
    both = _pay(client, {"amount": "1.001", "tip": "-1"}).json()
    assert both["code"] == "invalid_amount" and set(both["fields"]) == {"amount", "tip"}


def test_other_field_errors_are_a_validation_error_with_each_field(client):
    response = _pay(client, {"note": "far too long"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error" and set(body["fields"]) == {"amount", "note"}
    body = _pay(client, {"amount": "1.001", "note": "far too long"}).json()  # every field is checked
    assert body["code"] == "validation_error" and set(body["fields"]) == {"amount", "note"}
    assert _pay(client, {"amount": None}).json()["code"] == "validation_error"  # null is DRF's own refusal


def test_an_amount_goes_out_as_a_two_place_string_and_the_key_is_parsed(client):
    response = _pay(client, {"amount": "12.5", "tip": "0"}, **{"Idempotency-Key": "  k-1 "})
    assert (response.status_code, response.json()) == (200, {"amount": "12.50", "tip": "0.00",
                                                                "idempotency_key": "k-1"})
    response = _pay(client, {"amount": "12.5"}, **{"Idempotency-Key": "x" * 256})
    assert (response.status_code, response.json()["code"]) == (400, "invalid_idempotency_key")


def test_every_list_has_one_shape(client):
    body = client.get("/numbers/?page=2&page_size=20").json()
    assert (body["count"], body["results"]) == (45, list(range(21, 41)))
    assert body["next"].endswith("/numbers/?page=3&page_size=20") and body["previous"].endswith("page_size=20")
    assert len(client.get("/numbers/?page_size=1000").json()["results"]) == 45  # capped at 100
    beyond = client.get("/numbers/?page=9")
    assert (beyond.status_code, beyond.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("bad", ["page=", "page=-1", "page=abc", "page=last", "page=1&page=2", "page_size=",
                                 "page_size=-5", "page_size=null", "page_size=5&page_size=6"])
def test_page_parameters_the_schema_refuses_are_refused(client, bad):
    """DRF falls back to defaults for these; the published schema says one positive integer."""
    for path in ("/numbers/", "/numbers/counted/"):
        refused = client.get(f"{path}?{bad}")
        assert (refused.status_code, refused.json()["code"]) == (400, "validation_error"), (path, bad)
        assert bad.split("=")[0] in refused.json()["fields"]


def test_query_params_judges_an_empty_value_and_refuses_a_repeated_one():
    from rest_framework import serializers
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from forecourt_core.drf import query_params

    class Filter(serializers.Serializer):
        status = serializers.ChoiceField(choices=["open", "paid"], required=False)

    def data(query):
        return query_params(Request(APIRequestFactory().get(f"/?{query}")))

    assert Filter(data=data("status=paid")).is_valid()
    # A QueryDict would let "" through as "not given"; the schema's enum has no "".
    assert Filter(data=data("")).is_valid() and not Filter(data=data("status=")).is_valid()
    from forecourt_core.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        data("status=open&status=paid")
    assert refused.value.fields == {"status": ["Give this parameter once."]}


def test_a_list_its_selector_counts_answers_the_same_shape(client):
    body = client.get("/numbers/counted/?page=2&page_size=20").json()
    assert (body["count"], body["results"]) == (45, list(range(21, 41)))
    assert body["next"].endswith("page=3&page_size=20") and body["previous"].endswith("page=1&page_size=20")
    last = client.get("/numbers/counted/?page=3&page_size=20&capped=1").json()
    assert (last["count"], last["results"], last["next"]) == (None, list(range(41, 46)), None)
    by_cursor = client.get("/numbers/counted/?page_size=5&next_cursor=abc").json()
    assert "cursor=abc" in by_cursor["next"] and "page=" not in by_cursor["next"] and by_cursor["previous"] is None
    beyond = client.get("/numbers/counted/?page=9")
    assert (beyond.status_code, beyond.json()["code"]) == (404, "not_found")
    for bad in ("page=0", "page=abc", "page_size=0", "page_size=101", "page=99999999999999999999"):
        refused = client.get(f"/numbers/counted/?{bad}")
        assert (refused.status_code, refused.json()["code"]) == (400, "validation_error"), bad
        assert bad.split("=")[0] in refused.json()["fields"]


def test_a_view_paging_by_hand_answers_the_same_shape_and_a_csv_is_an_attachment(client):
    body = client.get("/numbers/by-hand/?page=3&page_size=20").json()
    assert (body["count"], body["results"], body["next"]) == (45, [{"n": n} for n in range(41, 46)], None)
    download = client.get("/numbers/by-hand/?download=1")
    assert download["Content-Type"].startswith("text/csv")
    assert download["Content-Disposition"] == 'attachment; filename="numbers.csv"'


class _User:
    """Who asks, with the permissions Django would answer for them."""

    def __init__(self, *perms, signed_in=True):
        self.is_authenticated, self.perms = signed_in, set(perms)

    def has_perm(self, perm):
        return perm in self.perms


class _Request:
    def __init__(self, method, user):
        self.method, self.user = method, user


class _View:
    perms = {"GET": "books.view_journalentry", "POST": "books.add_journalentry", "DELETE": None}


@pytest.mark.parametrize(("method", "user", "allowed"), [
    ("GET", _User("books.view_journalentry"), True),
    ("HEAD", _User("books.view_journalentry"), True),  # what GET needs
    ("OPTIONS", _User(), False),
    ("POST", _User("books.view_journalentry"), False),
    ("POST", _User("books.add_journalentry"), True),
    ("DELETE", _User(), True),  # None: any signed-in user
    ("DELETE", _User(signed_in=False), False),
    ("PUT", _User("books.view_journalentry", "books.add_journalentry"), False),  # no entry: refused
])
def test_method_perms_asks_the_permission_of_each_method(method, user, allowed):
    from forecourt_core.drf import MethodPerms

    assert MethodPerms().has_permission(_Request(method, user), _View()) is allowed
