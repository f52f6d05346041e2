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
