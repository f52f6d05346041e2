from decimal import Decimal

import pytest

from django_trading import selectors, services

URL = "/api/trading/users/"


@pytest.mark.django_db
class TestTraderCreate:
    def test_staff_registers_and_funds(self, api, staff, django_user_model):
        response = api(staff).post(URL, {"username": "bob", "balance": "1000.50"}, format="json")
        assert response.status_code == 201, response.data
        assert response.data["username"] == "bob" and response.data["balance"] == "1000.50"
        bob = django_user_model.objects.get(username="bob")
        assert not bob.has_usable_password()
        assert selectors.trader_balance(user=bob) == Decimal("1000.50")
        again = api(staff).post(URL, {"username": "bob", "balance": "9.50"}, format="json")
        assert again.status_code == 200 and again.data["balance"] == "1010.00"

    def test_funds_come_from_the_topups_system_account(self, staff, api):
        from django_wallet import selectors as wallet_selectors
        from django_wallet import services as wallet

        before = wallet_selectors.balance(wallet.system_account("topups"))
        api(staff).post(URL, {"username": "bob", "balance": "25.00"}, format="json")
        assert wallet_selectors.balance(wallet.system_account("topups")) == before - Decimal("25.00")

    def test_idempotency_key_funds_once(self, api, staff, django_user_model):
        client = api(staff)
        for _ in range(2):
            client.post(URL, {"username": "bob", "balance": "10.00"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
        assert selectors.trader_balance(user=django_user_model.objects.get(username="bob")) == Decimal("10.00")

    @pytest.mark.parametrize("body", [{"username": "bob", "balance": "1.001"}, {"username": "bob", "balance": "-1"},
                                      {"balance": "1.00"}, {"username": "bob", "balance": "NaN"},
                                      {"username": "bob/../x", "balance": "1.00"},
                                      {"username": "b o b", "balance": "1"}])
    def test_bad_input(self, api, staff, body):
        response = api(staff).post(URL, body, format="json")
        assert response.status_code == 400

    def test_non_staff_refused_without_self_funding(self, api, make_user):
        response = api(make_user("carol")).post(URL, {"username": "carol", "balance": "10.00"}, format="json")
        assert response.status_code == 403 and response.data["detail"].code == "funding_not_allowed"
        assert api().post(URL, {"username": "dave", "balance": "10.00"}, format="json").status_code == 403

    def test_self_funding_demo_mode(self, api, make_user, settings, django_user_model):
        settings.TRADING_ALLOW_SELF_FUNDING = True
        assert api().post(URL, {"username": "newbie", "balance": "10.00"}, format="json").status_code == 201
        # Topping up someone else who already exists is still refused; topping up yourself is fine.
        assert api().post(URL, {"username": "newbie", "balance": "10.00"}, format="json").status_code == 403
        carol = make_user("carol")
        assert api(carol).post(URL, {"username": "carol", "balance": "5.00"}, format="json").status_code == 200
        assert selectors.trader_balance(user=django_user_model.objects.get(username="newbie")) == Decimal("10.00")

    def test_fund_trader_permission(self, api, make_user):
        from django.contrib.auth.models import Permission
        clerk = make_user("clerk")
        clerk.user_permissions.add(Permission.objects.get(codename="fund_trader"))
        clerk = type(clerk).objects.get(pk=clerk.pk)
        assert api(clerk).post(URL, {"username": "bob", "balance": "1.00"}, format="json").status_code == 201


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
        assert missing.status_code == 404 and missing.data["detail"].code == "trader_not_found"
