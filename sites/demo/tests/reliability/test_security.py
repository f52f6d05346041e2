"""Security settings, proved by behaviour: password rules, JWT lifetimes and rotation, sign-in rate limits on
every login form, uploads served as images only, the admin for staff only.

Already proved elsewhere (not repeated here): `check --deploy` with zero warnings and the refusal of a short
SECRET_KEY (tests/test_deploy.py), the token endpoint's rate limit and the refusal of a rotated refresh token
(tests/test_auth.py), a wrong password's 401 in the error shape (tests/test_auth.py).
"""
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from tests.conftest import host_client
from tests.reliability.test_faults import make_vin

PASSWORD = "a-Strong-passw0rd"


def _post_json(client, path, body, **extra):
    return client.post(path, body, content_type="application/json", **extra)


# --- passwords ----------------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize(("username", "password", "reason"), [
    ("walter", "Sh0rt!x", "too short"),
    ("walter", "password1234", "too common"),
    ("walter", "73918264501", "entirely numeric"),
    ("marguerite-d", "marguerite-d1", "too similar"),
])
def test_register_refuses_a_weak_password_with_the_validators_reason(username, password, reason):
    response = _post_json(host_client("localhost"), "/api/auth/register/", {"username": username, "password": password})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert any(reason in message for message in body["fields"]["password"]), body
    assert not get_user_model().objects.filter(username=username).exists()


@pytest.mark.django_db
def test_signup_page_refuses_a_weak_password():
    response = host_client("localhost").post("/accounts/signup/", {"username": "pagey", "email": "",
                                                                   "password": "password1234"})
    assert response.status_code == 200 and b"too common" in response.content
    assert not get_user_model().objects.filter(username="pagey").exists()


# --- JWT ------------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_jwt_lifetimes_are_15_minutes_for_access_and_7_days_for_refresh(make_user):
    make_user(username="timer")
    tokens = _post_json(host_client("localhost"), "/api/auth/token/", {"username": "timer", "password": PASSWORD})
    access, refresh = AccessToken(tokens.json()["access"]), RefreshToken(tokens.json()["refresh"])
    # exp and iat are whole seconds taken a moment apart: equal within one second.
    assert abs(access["exp"] - access["iat"] - 15 * 60) <= 1
    assert abs(refresh["exp"] - refresh["iat"] - 7 * 24 * 3600) <= 1


@pytest.mark.django_db
def test_an_expired_access_token_is_refused(make_user):
    token = AccessToken.for_user(make_user(username="late"))
    token.set_exp(lifetime=-timedelta(seconds=1))
    response = host_client("localhost").get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401 and response.json()["code"] == "token_not_valid"


@pytest.mark.django_db
def test_refresh_rotation_chains_and_blacklists_every_used_token(make_user):
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

    make_user(username="rotor")
    client = host_client("localhost")
    first = _post_json(client, "/api/auth/token/", {"username": "rotor", "password": PASSWORD}).json()["refresh"]
    second = _post_json(client, "/api/auth/token/refresh/", {"refresh": first}).json()["refresh"]
    third = _post_json(client, "/api/auth/token/refresh/", {"refresh": second}).json()["refresh"]
    assert len({first, second, third}) == 3
    for used in (first, second):  # each used refresh token is dead, whatever came after it
        response = _post_json(client, "/api/auth/token/refresh/", {"refresh": used})
        assert response.status_code == 401 and response.json()["code"] == "token_not_valid"
    blacklisted = set(BlacklistedToken.objects.values_list("token__jti", flat=True))
    jti = {name: RefreshToken(value, verify=False)["jti"] for name, value in
           {"first": first, "second": second, "third": third}.items()}
    assert {jti["first"], jti["second"]} <= blacklisted and jti["third"] not in blacklisted


@pytest.mark.django_db
def test_a_blacklisted_refresh_token_from_a_deactivated_user_gives_no_access(make_user):
    user = make_user(username="leaver")
    refresh = RefreshToken.for_user(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = _post_json(host_client("localhost"), "/api/auth/token/refresh/", {"refresh": str(refresh)})
    assert response.status_code == 401


# --- sign-in rate limits ----------------------------------------------------------------------------------------

@pytest.fixture
def three_attempts_a_minute(settings):
    from django.core.cache import caches

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "3/min"}}
    for alias in ("default", "shared"):
        caches[alias].clear()
    yield
    for alias in ("default", "shared"):
        caches[alias].clear()


@pytest.mark.django_db
@pytest.mark.parametrize(("host", "path"), [("localhost", "/accounts/login/"), ("localhost", "/admin/login/"),
                                            ("dealer1.localhost", "/accounts/login/")])
def test_login_forms_are_rate_limited_before_the_password_is_checked(make_user, three_attempts_a_minute, host,
                                                                     path):
    make_user(username="guess-me")
    attempts = [host_client(host).post(path, {"username": "guess-me", "password": f"wrong-{n}"})
                for n in range(4)]
    assert [r.status_code for r in attempts[:3]] == [200, 200, 200]  # the form again, with its error
    assert attempts[3].status_code == 429 and int(attempts[3]["Retry-After"]) > 0
    assert b"Too many sign-in attempts" in attempts[3].content
    # Even the right password is refused while throttled: the limit runs before authentication.
    right = host_client(host).post(path, {"username": "guess-me", "password": PASSWORD})
    assert right.status_code == 429 and "_auth_user_id" not in right.client.session


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/api/auth/token/"])
def test_a_forged_forwarded_for_header_buys_no_extra_attempts(make_user, three_attempts_a_minute, path):
    make_user(username="spoofed")
    statuses = [_post_json(host_client("localhost"), path, {"username": "spoofed", "password": f"no-{n}"},
                           HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code if path.startswith("/api/") else
                host_client("localhost").post(path, {"username": "spoofed", "password": f"no-{n}"},
                                              HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
                for n in range(4)]
    assert statuses[3] == 429, statuses


@pytest.mark.django_db
def test_form_and_api_share_one_sign_in_budget(make_user, three_attempts_a_minute):
    make_user(username="both-ways")
    for n in range(3):
        host_client("localhost").post("/accounts/login/", {"username": "both-ways", "password": f"no-{n}"})
    response = _post_json(host_client("localhost"), "/api/auth/token/", {"username": "both-ways", "password": PASSWORD})
    assert response.status_code == 429 and response.json()["code"] == "throttled"


# One budget per address on every host: the token API on the marketplace, the login form on dealer1's host and
# the admin's on dealer2's, each with a wrong password, then the same again.
ENTRY_POINTS = [("localhost", "/api/auth/token/"), ("dealer1.localhost", "/accounts/login/"),
                ("dealer2.localhost", "/admin/login/")]


def _sign_in(host, path, username, password, address="198.51.100.7"):
    client = host_client(host)
    if path.startswith("/api/"):
        return _post_json(client, path, {"username": username, "password": password}, REMOTE_ADDR=address)
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_one_sign_in_budget_per_address_across_every_host(make_user, three_attempts_a_minute):
    """Three hosts, three entry points, one budget: a 4th guess from the address is refused on each host
    (the throttle's key was tenant-prefixed by the default cache, so each host counted its own 3)."""
    make_user(username="many-hosts")
    first = [_sign_in(host, path, "many-hosts", "wrong-guess").status_code for host, path in ENTRY_POINTS]
    assert first == [401, 200, 200], first  # checked and refused (the forms show themselves again)
    after = [_sign_in(host, path, "many-hosts", PASSWORD).status_code for host, path in ENTRY_POINTS]
    assert after == [429, 429, 429], after
    # Another address still has its own budget.
    assert _sign_in("dealer2.localhost", "/api/auth/token/", "many-hosts", PASSWORD, address="198.51.100.8"
                    ).status_code == 200


@pytest.fixture
def three_failures_lock_an_account(settings):
    from django.core.cache import caches

    settings.SIGN_IN_ACCOUNT_FAILURES, settings.SIGN_IN_ACCOUNT_WINDOW = 3, 600
    caches["shared"].clear()
    yield
    caches["shared"].clear()


@pytest.mark.django_db
def test_failed_passwords_from_many_addresses_lock_the_account_on_every_host(make_user,
                                                                             three_failures_lock_an_account):
    """One wrong password per address (each far under its own budget), on three hosts: the account locks, even
    the right password is refused with a clear message everywhere, and other accounts are untouched."""
    make_user(username="target")
    make_user(username="bystander")
    for n, (host, path) in enumerate(ENTRY_POINTS):
        assert _sign_in(host, path, "target", f"guess-{n}", address=f"203.0.113.{n}").status_code in (200, 401)
    api = _sign_in("localhost", "/api/auth/token/", "target", PASSWORD, address="203.0.113.50")
    assert api.status_code == 429 and api.json()["code"] == "account_locked", api.content
    assert "Too many failed sign-ins for this account" in api.json()["message"]
    assert int(api["Retry-After"]) > 0
    for host, path in ENTRY_POINTS[1:]:
        page = _sign_in(host, path, "TARGET", PASSWORD, address="203.0.113.51")  # usernames match case-blind
        assert page.status_code == 429 and b"Too many failed sign-ins for this account" in page.content
        assert "_auth_user_id" not in page.client.session
    assert _sign_in("dealer1.localhost", "/api/auth/token/", "bystander", PASSWORD,
                    address="203.0.113.52").status_code == 200


# --- uploaded files ------------------------------------------------------------------------------------------------

@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "car_listing" / "_public").mkdir(parents=True)
    return tmp_path / "car_listing" / "_public"


def _png() -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


@pytest.mark.django_db
def test_an_uploaded_image_is_served_as_an_image_that_cannot_run(media_root):
    (media_root / "photo.png").write_bytes(_png())
    response = host_client("localhost").get("/media/car_listing/_public/photo.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content"), [
    ("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'),
    ("evil.html", b"<html><script>alert(document.cookie)</script></html>"),
    ("evil.js", b"alert(1)"),
    ("noext", b"<script>alert(1)</script>"),
])
def test_a_non_image_in_media_is_never_served(media_root, name, content):
    (media_root / name).write_bytes(content)
    response = host_client("localhost").get(f"/media/car_listing/_public/{name}")
    assert response.status_code == 404
    assert b"<script>" not in b"".join(response) if response.streaming else b"<script>" not in response.content


@pytest.mark.django_db
def test_a_disguised_html_file_with_an_image_name_is_still_served_as_an_image(media_root):
    (media_root / "fake.png").write_bytes(b"<html><script>alert(1)</script></html>")
    response = host_client("localhost").get("/media/car_listing/_public/fake.png")
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_media_paths_cannot_leave_the_media_root(media_root, settings):
    (settings.MEDIA_ROOT.parent / "secret.png").write_bytes(_png())
    for path in ("/media/../secret.png", "/media/%2e%2e/secret.png", "/media/car_listing/../../secret.png"):
        response = host_client("localhost").get(path)
        assert response.status_code in {400, 404}, path  # 400: Django's SuspiciousFileOperation


@pytest.mark.django_db
def test_an_svg_upload_is_refused_and_nothing_is_stored(make_user, media_root, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from django_car_listing import services as cars

    owner = make_user(username="svg-owner")
    car = cars.car_create(actor=owner, store_key="", make="Saab", model="9-5", year=2009,
                          price=Decimal("900.00"), vin=make_vin(1))
    svg = SimpleUploadedFile("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>',
                             content_type="image/svg+xml")
    client = host_client("localhost", owner)
    response = client.post(f"/api/cars/{car.pk}/images/", {"image": svg})
    assert 400 <= response.status_code < 500 and response.json()["code"], response.content
    assert not [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


# --- the admin -------------------------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("host", ["localhost", "dealer1.localhost"])
def test_admin_is_for_staff_only(make_user, dealer1, host):
    from tenancy.services import membership_grant

    dealer = make_user(username="owner-not-staff")
    membership_grant(user=dealer, dealership=dealer1, role="dealer")
    anonymous = host_client(host).get("/admin/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/admin/login/")
    # A dealership's own dealer is not platform staff: no admin, by session or by signing in there.
    as_dealer = host_client(host, dealer).get("/admin/")
    assert as_dealer.status_code in {302, 403}
    if as_dealer.status_code == 302:
        assert as_dealer["Location"].startswith("/admin/login/")
    signed_in = host_client(host).post("/admin/login/", {"username": "owner-not-staff", "password": PASSWORD})
    assert signed_in.status_code == 200 and "_auth_user_id" not in signed_in.client.session
    staff = make_user(username="platform-staff", is_staff=True, is_superuser=True)
    assert host_client(host, staff).get("/admin/").status_code == 200
