import pytest

from tests.conftest import host_client


@pytest.mark.django_db
def test_register_token_refresh_me():
    client = host_client("localhost")
    created = client.post("/api/auth/register/", {"username": "newbie", "password": "a-Strong-passw0rd"},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    tokens = client.post("/api/auth/token/", {"username": "newbie", "password": "a-Strong-passw0rd"},
                         content_type="application/json").json()
    me = host_client("localhost").get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert me.status_code == 200 and me.json()["username"] == "newbie" and me.json()["role"] is None
    refreshed = client.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, content_type="application/json")
    assert refreshed.status_code == 200 and "access" in refreshed.json()
    # Rotation with blacklist: the old refresh token is dead after use.
    reused = client.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, content_type="application/json")
    assert reused.status_code == 401 and reused.json()["code"] == "token_not_valid"


@pytest.mark.django_db
def test_register_returns_working_tokens_and_spends_one_sign_in_attempt(settings):
    """Sign-up is one call: its tokens work at once, with no token request against the sign-in budget."""
    from django.core.cache import caches

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "1/min"}}
    caches["shared"].clear()
    created = host_client("localhost").post("/api/auth/register/", {"username": "one-call",
                                                                    "password": "a-Strong-passw0rd"},
                                            content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["username"] == "one-call" and body["access"] and body["refresh"]
    me = host_client("dealer1.localhost").get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.status_code == 200 and me.json()["username"] == "one-call"
    caches["shared"].clear()
    refreshed = host_client("localhost").post("/api/auth/token/refresh/", {"refresh": body["refresh"]},
                                              content_type="application/json")
    assert refreshed.status_code == 200 and refreshed.json()["access"]


@pytest.mark.django_db
def test_registration_gives_the_user_a_wallet_account():
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from django_wallet.models import Account

    host_client("localhost").post("/api/auth/register/", {"username": "walleted", "password": "a-Strong-passw0rd"},
                                  content_type="application/json")
    user = get_user_model().objects.get(username="walleted")
    owned = Account.objects.filter(owner_type=ContentType.objects.get_for_model(user), owner_id=str(user.pk))
    assert owned.count() == 1


@pytest.mark.django_db
def test_bad_password_is_401_with_error_shape(make_user):
    make_user(username="alice")
    response = host_client("localhost").post("/api/auth/token/", {"username": "alice", "password": "wrong"},
                                             content_type="application/json")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "no_active_account" and body["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(("payload", "field"), [
    ({"username": "weak", "password": "123"}, "password"),
    ({"username": "x", "password": "a-Strong-passw0rd"}, "username"),
    ({"username": "ok-name"}, "password"),
])
def test_register_validation_errors_name_the_field(payload, field):
    response = host_client("localhost").post("/api/auth/register/", payload, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error" and field in body["fields"]


@pytest.mark.django_db
def test_anonymous_writes_are_refused():
    response = host_client("localhost").post("/api/dealerships/", {"name": "x", "slug": "xx"},
                                             content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_token_endpoint_is_rate_limited(settings, make_user):
    from django.core.cache import caches

    make_user(username="bob")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "3/min"}}
    caches["shared"].clear()
    try:
        codes = [host_client("localhost").post("/api/auth/token/", {"username": "bob", "password": "nope"},
                                               content_type="application/json").status_code for _ in range(5)]
    finally:
        caches["shared"].clear()
    assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429]


def _bearer(user) -> dict:
    from rest_framework_simplejwt.tokens import AccessToken

    return {"HTTP_AUTHORIZATION": f"Bearer {AccessToken.for_user(user)}"}


@pytest.mark.django_db
def test_a_valid_token_of_a_deactivated_or_deleted_user_is_refused_at_once(make_user):
    """The user's row is read on every request: no token outlives its user's deactivation or deletion."""
    from django.db import connection

    deactivated, deleted = make_user(), make_user()
    tokens = {"deactivated": _bearer(deactivated), "deleted": _bearer(deleted)}
    client = host_client("localhost")
    assert all(client.get("/api/auth/me/", **t).status_code == 200 for t in tokens.values())
    deactivated.is_active = False
    deactivated.save(update_fields=["is_active"])
    with connection.cursor() as cursor:  # the row alone (the ORM's cascade would visit every dealership's tables)
        cursor.execute("DELETE FROM accounts_user WHERE id = %s", [deleted.pk])
    for who, code in (("deactivated", "user_inactive"), ("deleted", "user_not_found")):
        refused = client.get("/api/auth/me/", **tokens[who])
        assert refused.status_code == 401, who
        assert code in str(refused.json()), refused.json()
    dealer_host = client.get("/api/wallet/accounts/", HTTP_HOST="dealer1.localhost", **tokens["deleted"])
    assert dealer_host.status_code == 401  # the members-only middleware reads the row too


@pytest.mark.django_db
def test_the_authenticated_user_is_the_orms_user_row(make_user):
    """The site's JWT authentication builds the user from its own statement: every field as the ORM reads it."""
    from django.contrib.auth import get_user_model
    from django.forms.models import model_to_dict
    from rest_framework.test import APIRequestFactory
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.authentication import JWTAuthentication

    user = make_user(email="a@example.com", first_name="Ann", is_staff=True)
    user.last_login = user.date_joined
    user.save()
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    found, _ = JWTAuthentication().authenticate(request)
    expected = get_user_model().objects.get(pk=user.pk)
    assert type(found) is type(expected) and found._state.db == expected._state.db and not found._state.adding
    assert model_to_dict(found) == model_to_dict(expected)
    assert [getattr(found, f.attname) for f in expected._meta.concrete_fields] == \
        [getattr(expected, f.attname) for f in expected._meta.concrete_fields]


def test_a_dealership_hosts_api_call_reads_the_user_row_once(dealer1_staff):
    """The members-only middleware authenticates the token before the view: the view is given its user."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = host_client("dealer1.localhost")
    assert client.get("/api/wallet/accounts/", **_bearer(dealer1_staff)).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/wallet/accounts/", **_bearer(dealer1_staff)).status_code == 200
    user_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    assert len(user_reads) == 1, user_reads
