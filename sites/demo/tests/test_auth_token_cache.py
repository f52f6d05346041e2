"""The site's JWT authentication remembers an access token's validation per process (accounts.authentication):
what it must still refuse, and that it stays bounded."""
import threading
from datetime import timedelta

import pytest
from rest_framework_simplejwt import settings as jwt_settings
from rest_framework_simplejwt import state
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.tokens import AccessToken

from accounts import authentication
from tests.conftest import host_client


@pytest.fixture
def decodes(monkeypatch):
    """The tokens simplejwt's backend decodes (its signature check and claims), in order."""
    seen, decode = [], TokenBackend.decode

    def spy(self, token, verify=True):
        seen.append(token)
        return decode(self, token, verify)

    monkeypatch.setattr(TokenBackend, "decode", spy)
    return seen


def _me(token, host="localhost"):
    return host_client(host).get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {token}")


def _refusal(response) -> tuple:
    return response.status_code, response.json()


def _backend_from_settings() -> TokenBackend:
    """simplejwt's backend as its state module builds it at import, from the settings in effect now (a change
    of SIMPLE_JWT rebinds the settings module's ``api_settings``)."""
    api_settings = jwt_settings.api_settings
    return TokenBackend(api_settings.ALGORITHM, api_settings.SIGNING_KEY, api_settings.VERIFYING_KEY,
                        api_settings.AUDIENCE, api_settings.ISSUER, api_settings.JWK_URL, api_settings.LEEWAY,
                        api_settings.JSON_ENCODER)


@pytest.mark.django_db
def test_the_same_token_is_validated_once_and_served_every_time(make_user, decodes):
    user = make_user()
    token = str(AccessToken.for_user(user))
    for _ in range(3):
        response = _me(token)
        assert response.status_code == 200 and response.json()["username"] == user.username
    assert decodes == [token.encode()]


def test_a_dealership_hosts_call_uses_the_remembered_validation(dealer1_staff, decodes):
    token = str(AccessToken.for_user(dealer1_staff))
    for _ in range(2):
        assert host_client("dealer1.localhost").get("/api/wallet/accounts/",
                                                     HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert decodes == [token.encode()]


@pytest.fixture
def later(monkeypatch):
    """Moves every clock a token is checked by (simplejwt's, PyJWT's, the cache's) past the tokens' 15 minutes."""
    import datetime as dt

    import jwt.api_jwt
    from rest_framework_simplejwt.utils import aware_utcnow

    shift = timedelta(minutes=16)

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime.now(tz) + shift

    def aware_later():
        return aware_utcnow() + shift

    def move():
        monkeypatch.setattr(authentication, "aware_utcnow", aware_later)
        monkeypatch.setattr("rest_framework_simplejwt.tokens.aware_utcnow", aware_later)
        monkeypatch.setattr(jwt.api_jwt, "datetime", Later)

    return move


@pytest.mark.django_db
def test_a_remembered_token_is_refused_once_expired_as_simplejwt_refuses_it(make_user, later, decodes):
    remembered, never_used = (str(AccessToken.for_user(make_user())) for _ in range(2))
    assert _me(remembered).status_code == 200 and len(authentication._validated) >= 1
    later()
    refused = _me(remembered)
    assert refused.status_code == 401 and refused.json()["code"] == "token_not_valid"
    assert "Token is expired" in str(refused.json())  # PyJWT's refusal, through simplejwt, as for any token
    assert _refusal(refused) == _refusal(_me(never_used))
    assert (remembered.encode(), state.token_backend) not in authentication._validated._entries
    assert _refusal(_me(remembered)) == _refusal(refused)  # and stays refused
    assert decodes == [remembered.encode(), remembered.encode(), never_used.encode(), remembered.encode()]


@pytest.mark.django_db
def test_a_tampered_token_is_refused_after_the_real_one_was_remembered(make_user):
    import base64

    token = str(AccessToken.for_user(make_user()))
    assert _me(token).status_code == 200
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    # The last character's top bits are the signature's (its low bits are padding, ignored when decoded).
    tampered = token[:-1] + alphabet[alphabet.index(token[-1]) ^ 0b100000]

    def signature(value):
        return base64.urlsafe_b64decode(value.rsplit(".", 1)[1] + "==")

    assert signature(tampered) != signature(token)
    refused = _me(tampered)
    assert refused.status_code == 401 and refused.json()["code"] == "token_not_valid"
    assert _me(token).status_code == 200


@pytest.mark.django_db
def test_a_deactivated_user_with_a_remembered_token_is_refused_at_once(make_user, decodes):
    user = make_user()
    token = str(AccessToken.for_user(user))
    assert _me(token).status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    refused = _me(token)
    assert refused.status_code == 401 and "user_inactive" in str(refused.json())
    assert len(decodes) == 1  # refused by the user's row, read on every request


@pytest.mark.django_db
def test_a_changed_signing_key_refuses_a_token_signed_with_the_old_one(make_user, settings, monkeypatch):
    user = make_user()
    old = str(AccessToken.for_user(user))
    assert _me(old).status_code == 200
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": "another-signing-key-" + "k" * 40}
    # simplejwt builds its backend once, at import: build it again from the new key, as a restart would.
    monkeypatch.setattr(state, "token_backend", _backend_from_settings())
    refused = _me(old)
    assert refused.status_code == 401 and refused.json()["code"] == "token_not_valid"
    assert _me(str(AccessToken.for_user(user))).status_code == 200


@pytest.mark.django_db
def test_the_remembered_validation_is_the_backends_own(make_user, monkeypatch):
    """Another backend (another key) in effect, with no settings change: the token is validated by it."""
    old = str(AccessToken.for_user(make_user()))
    assert _me(old).status_code == 200
    monkeypatch.setattr(state, "token_backend", TokenBackend("HS256", "another-key-" + "k" * 40))
    assert _me(old).status_code == 401


@pytest.mark.django_db
def test_a_settings_change_forgets_every_validation(make_user, settings, decodes):
    token = str(AccessToken.for_user(make_user()))
    assert _me(token).status_code == 200
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "LEEWAY": 0}
    assert len(authentication._validated) == 0
    assert _me(token).status_code == 200
    assert len(decodes) == 2


@pytest.mark.django_db
def test_a_token_with_blacklist_semantics_is_never_remembered(make_user, monkeypatch):
    """Were simplejwt to accept a refresh or sliding token (they can be blacklisted), each use is validated."""
    from rest_framework_simplejwt.authentication import JWTAuthentication
    from rest_framework_simplejwt.tokens import RefreshToken, SlidingToken

    user = make_user()
    for kind in (RefreshToken, SlidingToken):
        token = str(kind.for_user(user))
        accepted = []
        monkeypatch.setattr(JWTAuthentication, "get_validated_token",
                            lambda self, raw, kind=kind, accepted=accepted: accepted.append(raw) or kind(raw))
        assert _me(token).status_code == 200 and _me(token).status_code == 200
        assert accepted == [token.encode()] * 2, kind
        assert (token.encode(), state.token_backend) not in authentication._validated._entries


@pytest.mark.django_db
def test_a_subclass_of_access_token_is_verified_on_every_use(make_user, monkeypatch):
    """A subclass's verify() may check state (here a revocation list): its verdict is never remembered."""
    from rest_framework_simplejwt.authentication import JWTAuthentication
    from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

    revoked, verified = set(), []

    class Revocable(AccessToken):
        def verify(self):
            super().verify()
            verified.append(self["jti"])
            if self["jti"] in revoked:
                raise TokenError("Token is revoked")

    def validate(self, raw):  # simplejwt's, with Revocable as its one token class
        try:
            return Revocable(raw)
        except TokenError as e:
            raise InvalidToken(e.args[0]) from e

    monkeypatch.setattr(JWTAuthentication, "get_validated_token", validate)
    token = AccessToken.for_user(make_user())
    assert _me(str(token)).status_code == 200 and _me(str(token)).status_code == 200
    assert verified == [token["jti"]] * 2
    assert (str(token).encode(), state.token_backend) not in authentication._validated._entries
    revoked.add(token["jti"])
    refused = _me(str(token))
    assert refused.status_code == 401 and refused.json()["code"] == "token_not_valid"


@pytest.mark.django_db
def test_a_callers_change_to_its_tokens_claims_does_not_reach_a_later_request(make_user, decodes):
    """Each call is given a token of its own: setting, deleting or adding a claim on the token one request got
    changes neither what is remembered nor what the next request gets."""
    auth = authentication.JWTAuthentication()
    raw = str(AccessToken.for_user(make_user())).encode()
    first = auth.get_validated_token(raw)  # validated, and remembered
    claims = dict(first.payload)

    def scribble(token):
        for name in list(token.payload):
            token[name] = "changed"
        del token["jti"]
        token["added"] = True

    scribble(first)
    second = auth.get_validated_token(raw)  # the remembered one
    assert second is not first and second.payload == claims
    scribble(second)
    third = auth.get_validated_token(raw)
    assert third.payload == claims
    assert decodes == [raw]  # the second and third were remembered


@pytest.mark.django_db
def test_the_cache_stays_bounded_dropping_the_least_recently_used(make_user, monkeypatch, decodes):
    cache = authentication._ValidatedTokens(3)
    monkeypatch.setattr(authentication, "_validated", cache)
    auth = authentication.JWTAuthentication()
    user = make_user()
    tokens = [str(AccessToken.for_user(user)).encode() for _ in range(5)]
    for raw in tokens[:3]:
        auth.get_validated_token(raw)
    auth.get_validated_token(tokens[0])  # used again: now the most recent
    for raw in tokens[3:]:
        auth.get_validated_token(raw)
    assert len(cache) == 3
    assert [raw for raw, _ in cache._entries] == [tokens[0], tokens[3], tokens[4]]
    assert decodes == tokens[:3] + tokens[3:]  # the third request of tokens[0] was remembered
    auth.get_validated_token(tokens[1])  # dropped: validated again
    assert decodes[-1] == tokens[1] and len(cache) == 3


def test_the_cache_is_bounded_under_threads():
    cache = authentication._ValidatedTokens(50)
    errors = []

    def churn(offset):
        try:
            for i in range(2000):
                cache.put((offset, i), object())
                cache.get((offset, i - 1))
                if i % 7 == 0:
                    cache.discard((offset, i - 3))
        except Exception as e:  # noqa: BLE001 - any failure of a thread is the test's failure
            errors.append(e)

    threads = [threading.Thread(target=churn, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(cache) == 50
