from decimal import Decimal

import pytest

from django_trading import selectors, services

URL = "/api/trading/users/"


@pytest.mark.django_db
class TestTraderCreate:
    def test_staff_creates_a_trader_once_with_a_recorded_top_up(self, api, staff, django_user_model):
        response = api(staff).post(URL, {"username": "bob", "balance": "1000.50"}, format="json")
        assert response.status_code == 201, response.data
        assert response.data == {"user_id": response.data["user_id"], "username": "bob", "balance": "1000.50",
                                 "funding": "staff_top_up"}
        bob = django_user_model.objects.get(username="bob")
        assert not bob.has_usable_password()
        assert selectors.trader_balance(user=bob) == Decimal("1000.50")
        # A second create, even in another case, is a 409 and adds nothing (it used to add the balance again).
        for name in ("bob", "BOB"):
            again = api(staff).post(URL, {"username": name, "balance": "9.50"}, format="json")
            assert again.status_code == 409 and again.json()["code"] == "trader_exists", again.data
        assert selectors.trader_balance(user=bob) == Decimal("1000.50")
        from django_wallet.models import Transaction

        top_up = Transaction.objects.get(metadata__trading="fund")
        assert top_up.metadata["by"] == staff.pk  # the top-up records who made it

    def test_funds_come_from_the_topups_system_account(self, staff, api):
        from django_wallet import selectors as wallet_selectors
        from django_wallet import services as wallet

        before = wallet_selectors.balance(wallet.system_account("topups"))
        api(staff).post(URL, {"username": "bob", "balance": "25.00"}, format="json")
        assert wallet_selectors.balance(wallet.system_account("topups")) == before - Decimal("25.00")

    def test_a_password_lets_the_trader_sign_in(self, api, django_user_model):
        response = api().post(URL, {"username": "pat", "password": "a-Strong-passw0rd"}, format="json")
        assert response.status_code == 201 and response.data["funding"] == "none", response.data
        assert django_user_model.objects.get(username="pat").check_password("a-Strong-passw0rd")

    @pytest.mark.parametrize("body", [{"username": "bob", "balance": "1.001"}, {"username": "bob", "balance": "-1"},
                                      {"balance": "1.00"}, {"username": "bob", "balance": "NaN"},
                                      {"username": "bob/../x", "balance": "1.00"},
                                      {"username": "b o b", "balance": "1"}])
    def test_bad_input(self, api, staff, body):
        response = api(staff).post(URL, body, format="json")
        assert response.status_code == 400

    def test_a_balance_from_a_non_staff_user_is_refused_without_self_funding(self, api, make_user,
                                                                            django_user_model):
        response = api(make_user("carol")).post(URL, {"username": "newcarol", "balance": "10.00"}, format="json")
        assert response.status_code == 403 and response.json()["code"] == "funding_not_allowed"
        assert api().post(URL, {"username": "dave", "balance": "10.00"}, format="json").status_code == 403
        assert not django_user_model.objects.filter(username__in=["newcarol", "dave"]).exists()

    def test_self_funding_demo_mode_creates_once_and_says_so(self, api, make_user, settings, django_user_model):
        settings.TRADING_ALLOW_SELF_FUNDING = True
        first = api().post(URL, {"username": "newbie", "balance": "500.00"}, format="json")
        assert first.status_code == 201 and first.data["funding"] == "demo_self_funding", first.data
        # Posting again mints nothing (it used to add 500.00 on every call).
        again = api().post(URL, {"username": "newbie", "balance": "500.00"}, format="json")
        assert again.status_code == 409 and again.json()["code"] == "trader_exists"
        carol = make_user("carol")
        assert api(carol).post(URL, {"username": "carol", "balance": "5.00"}, format="json").status_code == 409
        assert selectors.trader_balance(user=django_user_model.objects.get(username="newbie")) == Decimal("500.00")
        assert selectors.trader_balance(user=carol) == Decimal("0")

    def test_fund_trader_permission(self, api, make_user):
        from django.contrib.auth.models import Permission
        clerk = make_user("clerk")
        clerk.user_permissions.add(Permission.objects.get(codename="fund_trader"))
        clerk = type(clerk).objects.get(pk=clerk.pk)
        response = api(clerk).post(URL, {"username": "bob", "balance": "1.00"}, format="json")
        assert response.status_code == 201 and response.data["funding"] == "staff_top_up"


@pytest.mark.django_db
class TestDeposit:
    def test_a_deposit_moves_wallet_money_once_per_key(self, api, make_user):
        from django_wallet import selectors as wallet_selectors
        from django_wallet import services as wallet

        carol = make_user("carol")
        main = wallet.account_for(carol)
        wallet.deposit(account=main, amount=Decimal("30.00"))
        client = api(carol)
        for _ in range(2):
            response = client.post("/api/trading/deposits/", {"amount": "20.00"}, format="json",
                                   HTTP_IDEMPOTENCY_KEY="dep-1")
            assert response.status_code == 201 and response.data["balance"] == "20.00", response.data
        assert wallet_selectors.balance(main) == Decimal("10.00")
        refused = client.post("/api/trading/deposits/", {"amount": "20.00"}, format="json",
                              HTTP_IDEMPOTENCY_KEY="dep-2")
        assert refused.status_code == 409 and refused.json()["code"] == "insufficient_funds"
        assert selectors.trader_balance(user=carol) == Decimal("20.00")


@pytest.mark.django_db
class TestWithdrawal:
    def test_a_withdrawal_moves_free_trading_cash_back_once_per_key(self, api, make_user):
        from django_wallet import selectors as wallet_selectors
        from django_wallet import services as wallet

        dave = make_user("dave")
        main = wallet.account_for(dave)
        services.trader_fund(username="dave", amount=Decimal("40.00"))
        client = api(dave)
        for _ in range(2):
            response = client.post("/api/trading/withdrawals/", {"amount": "15.00"}, format="json",
                                   HTTP_IDEMPOTENCY_KEY="wd-1")
            assert response.status_code == 201 and response.data["balance"] == "25.00", response.data
        assert wallet_selectors.balance(main) == Decimal("15.00")
        refused = client.post("/api/trading/withdrawals/", {"amount": "25.01"}, format="json",
                              HTTP_IDEMPOTENCY_KEY="wd-2")
        assert refused.status_code == 409 and refused.json()["code"] == "insufficient_funds"
        assert selectors.trader_balance(user=dave) == Decimal("25.00")
        assert wallet_selectors.balance(main) + selectors.trader_balance(user=dave) == Decimal("40.00")


@pytest.mark.django_db
class TestTraderDetail:
    def test_self_staff_and_others(self, api, make_user, staff):
        alice, bob = make_user("alice"), make_user("bob")
        services.trader_fund(username="alice", amount=Decimal("50.00"))
        mine = api(alice).get(URL + "alice/")
        assert mine.status_code == 200
        assert mine.data == {"user_id": str(alice.pk), "username": "alice", "balance": "50.00",
                             "available_balance": "50.00", "holdings": []}
        assert api(bob).get(URL + "alice/").status_code == 403
        assert api(staff).get(URL + "alice/").status_code == 200
        assert api().get(URL + "alice/").status_code in (401, 403)
        missing = api(staff).get(URL + "ghost/")
        assert missing.status_code == 404 and missing.json()["code"] == "trader_not_found"


def _post(user, path: str, body: dict, key: str | None):
    """One POST from a fresh client, with ``key`` as its Idempotency-Key or none at all."""
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(path, body, format="json", **headers)


@pytest.mark.django_db(transaction=True)
class TestTwoConcurrentIdenticalRequests:
    """A client retrying on a timeout: the same request twice at once. Without a key both are refused and no
    money moves; with one key the money moves once and both get the first answer."""

    def _race(self, user, path, body):
        from forecourt_core.racing import at_once

        keyless = at_once(lambda: _post(user, path, body, None))
        assert [(r.status_code, r.json()["code"]) for r in keyless] == [(400, "idempotency_key_required")] * 2
        keyed = at_once(lambda: _post(user, path, body, "retry-1"))
        assert [r.status_code for r in keyed] == [201, 201] and keyed[0].json() == keyed[1].json(), keyed
        return keyed[0].json()

    def test_a_staff_top_up_at_creation(self, staff, django_user_model):
        from django_wallet import selectors as wallet_selectors
        from django_wallet import services as wallet

        topups = wallet.system_account("topups")
        before = wallet_selectors.balance(topups)
        answer = self._race(staff, URL, {"username": "bob", "balance": "100.00"})
        assert answer["balance"] == "100.00" and answer["funding"] == "staff_top_up"
        bob = django_user_model.objects.get(username="bob")
        assert selectors.trader_balance(user=bob) == Decimal("100.00")
        assert wallet_selectors.balance(topups) == before - Decimal("100.00")
        # The same key with another balance is not a retry; another key is another create, refused.
        conflict = _post(staff, URL, {"username": "bob", "balance": "5.00"}, "retry-1")
        assert conflict.status_code == 409 and conflict.json()["code"] == "idempotency_conflict"
        again = _post(staff, URL, {"username": "bob", "balance": "100.00"}, "retry-2")
        assert again.status_code == 409 and again.json()["code"] == "trader_exists"
        assert selectors.trader_balance(user=bob) == Decimal("100.00")

    @pytest.mark.parametrize("path, wallet_after, trading_after", [
        ("/api/trading/deposits/", "20.00", "40.00"), ("/api/trading/withdrawals/", "40.00", "20.00")])
    def test_a_move_between_own_accounts(self, make_user, path, wallet_after, trading_after):
        from django_wallet import selectors as wallet_selectors
        from django_wallet import services as wallet

        carol = make_user("carol")
        main = wallet.account_for(carol)
        wallet.deposit(account=main, amount=Decimal("30.00"))
        services.trader_fund(username="carol", amount=Decimal("30.00"))
        answer = self._race(carol, path, {"amount": "10.00"})
        assert answer["balance"] == trading_after
        assert wallet_selectors.balance(main) == Decimal(wallet_after)
        assert selectors.trader_balance(user=carol) == Decimal(trading_after)
