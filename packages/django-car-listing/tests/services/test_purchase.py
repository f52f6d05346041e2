from decimal import Decimal

import pytest
from django.db import transaction

from django_car_listing import errors, services
from django_car_listing.models import Car, CarImage, ListingIndex, OwnershipRecord, StoreSale
from django_car_listing.services import purchase as purchase_module
from django_wallet import services as wallet
from django_wallet.errors import InsufficientFunds
from forecourt_core.events.models import Event
from forecourt_core.events.services import events_relay
from tests.conftest import balance

pytestmark = pytest.mark.django_db


def _snapshot(car):
    car.refresh_from_db()
    return (car.owner_id, car.is_for_sale, car.is_sold)


class CarFlowTests:
    def test_new_car_belongs_to_creator_not_for_sale_not_sold(self, make_user, car_data):
        user = make_user()
        car = services.car_create(actor=user, **car_data())
        assert (car.owner_id, car.is_for_sale, car.is_sold, car.store_key) == (user.pk, False, False, "")
        assert list(car.ownership_records.values_list("kind", "owner_id")) == [("created", user.pk)]
        assert ListingIndex.objects.get(car_id=car.pk).is_for_sale is False

    def test_only_owner_puts_on_sale_and_returns_from_sale(self, make_user, car_data, staff):
        owner, other = make_user(), make_user()
        car = services.car_create(actor=owner, **car_data())
        with pytest.raises(errors.CarNotFound):  # unlisted: to others it does not exist
            services.car_put_on_sale(actor=other, store_key="", car_id=car.pk)
        assert _snapshot(car) == (owner.pk, False, False)
        services.car_put_on_sale(actor=owner, store_key="", car_id=car.pk)
        assert _snapshot(car) == (owner.pk, True, False)
        services.car_verify(actor=staff, store_key="", car_id=car.pk)
        with pytest.raises(errors.NotOwner):  # listed: others see it, and may not change it
            services.car_return_from_sale(actor=other, store_key="", car_id=car.pk)
        assert _snapshot(car) == (owner.pk, True, False)
        services.car_return_from_sale(actor=owner, store_key="", car_id=car.pk)
        assert _snapshot(car) == (owner.pk, False, False)

    def test_invalid_vin_and_duplicate_vin(self, make_user, car_data):
        user = make_user()
        with pytest.raises(errors.InvalidVin):
            services.car_create(actor=user, **car_data(vin="1M8GDM9A1KP042788"))  # wrong check digit
        services.car_create(actor=user, **car_data(vin="1M8GDM9AXKP042788"))
        with pytest.raises(errors.DuplicateVin):
            services.car_create(actor=make_user(), **car_data(vin="1m8gdm9axkp042788"))
        assert Car.objects.count() == 1


class BuyTests:
    def test_buy_moves_money_and_ownership(self, make_user, fund, listed_car):
        seller, buyer = make_user(), make_user()
        fund(buyer, "1500.00")
        car = listed_car(seller, price=Decimal("1000.00"))
        record = services.car_buy(buyer=buyer, store_key="", car_id=car.pk)
        assert balance(buyer) == Decimal("500.00") and balance(seller) == Decimal("1000.00")
        assert _snapshot(car) == (buyer.pk, False, True)
        assert (record.kind, record.owner_id, record.previous_owner_id, record.price) == (
            "purchase", buyer.pk, seller.pk, Decimal("1000.00"))
        (event,) = Event.objects.filter(kind="car_listing.car_purchased")
        assert (event.data["car_id"], event.data["seller_id"], event.data["buyer_id"], event.data["price"]) == (
            car.pk, seller.pk, buyer.pk, "1000.00")
        row = ListingIndex.objects.get(car_id=car.pk)
        assert (row.is_for_sale, row.owner_id) == (False, buyer.pk)

    def test_a_public_purchase_leaves_the_index_row_as_index_sync_writes_it(self, make_user, fund, listed_car):
        seller, buyer = make_user(), make_user()
        fund(buyer, "1500.00")
        fund(seller, "100.00")
        car = listed_car(seller, price=Decimal("1000.00"))
        CarImage.objects.create(car=car, image="car_listing/_public/a.jpg", thumbnail="car_listing/_public/t.jpg")
        services.car_feature(actor=seller, store_key="", car_id=car.pk, days=1)  # a featured car: no longer
        services.index_sync(car=Car.objects.get(pk=car.pk))
        assert ListingIndex.objects.get(store_key="", car_id=car.pk).featured_until is not None
        services.car_buy(buyer=buyer, store_key="", car_id=car.pk)
        fields = [f.attname for f in ListingIndex._meta.concrete_fields if f.name not in ("id", "updated_at")]
        bought = ListingIndex.objects.values(*fields).get(store_key="", car_id=car.pk)
        services.index_sync(car=Car.objects.get(pk=car.pk))
        assert ListingIndex.objects.values(*fields).get(store_key="", car_id=car.pk) == bought
        assert (bought["owner_id"], bought["is_for_sale"], bought["featured_until"]) == (buyer.pk, False, None)

    def test_a_public_purchase_writes_a_missing_index_row_as_index_sync_writes_it(self, make_user, fund, listed_car):
        seller, buyer = make_user(), make_user()
        fund(buyer, "1500.00")
        car = listed_car(seller, price=Decimal("1000.00"), description="one careful owner")
        for position, name in ((1, "b"), (0, "a")):
            CarImage.objects.create(car=car, image=f"car_listing/_public/{name}.jpg", position=position,
                                    thumbnail=f"car_listing/_public/{name}-t.jpg" if name == "a" else "")
        ListingIndex.objects.filter(store_key="", car_id=car.pk).delete()  # an index not yet built
        services.car_buy(buyer=buyer, store_key="", car_id=car.pk)
        fields = [f.attname for f in ListingIndex._meta.concrete_fields if f.name not in ("id", "updated_at")]
        bought = ListingIndex.objects.values(*fields).get(store_key="", car_id=car.pk)
        ListingIndex.objects.filter(store_key="", car_id=car.pk).delete()
        services.index_sync(car=Car.objects.get(pk=car.pk))
        assert ListingIndex.objects.values(*fields).get(store_key="", car_id=car.pk) == bought
        assert (bought["owner_id"], bought["is_for_sale"], bought["thumbnail"]) == (
            buyer.pk, False, "car_listing/_public/a-t.jpg")
        assert "'careful'" in bought["search_vector"] and bought["listed_at"] is None

    def test_a_public_purchase_reads_both_accounts_at_once_and_the_seller_only_for_a_receiver(
            self, make_user, fund, listed_car, django_capture_on_commit_callbacks):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from django_car_listing import signals

        seller, buyer = make_user(), make_user()
        fund(buyer, "1500.00")
        fund(seller, "1.00")
        car = listed_car(seller, price=Decimal("1000.00"))
        announced = []

        def on_purchased(sender, seller, **kwargs):
            announced.append(seller)

        signals.car_purchased.connect(on_purchased, weak=False)
        try:
            with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
                services.car_buy(buyer=buyer, store_key="", car_id=car.pk)
        finally:
            signals.car_purchased.disconnect(on_purchased)
        statements = [q["sql"].replace('"', "") for q in ctx.captured_queries]
        assert sum("FROM wallet_account" in s for s in statements) == 1, statements
        user_reads = [s for s in statements if f"FROM {seller._meta.db_table}" in s
                      and "wallet_account" not in s]  # the account read finds the seller's by its id in SQL
        assert user_reads == [], statements
        assert announced == [seller] and (announced[0].pk, announced[0].username) == (seller.pk, seller.username)
        assert balance(seller) == Decimal("1001.00") and balance(buyer) == Decimal("500.00")

    def test_the_event_written_with_a_public_cars_move_is_the_one_record_car_purchased_writes(
            self, make_user, fund, listed_car):
        from django_car_listing.services.events import record_car_purchased

        seller, buyer = make_user(), make_user()
        fund(buyer, "1500.00")
        car = listed_car(seller, price=Decimal("1000.00"))
        services.car_buy(buyer=buyer, store_key="", car_id=car.pk)
        (event,) = Event.objects.filter(kind="car_listing.car_purchased")
        bought = Car.objects.get(pk=car.pk)
        with transaction.atomic():
            record_car_purchased(car=bought, buyer=buyer, seller_id=seller.pk, buyer_car_id=car.pk, sale_id=None)
        reference = Event.objects.exclude(pk=event.pk).get(kind="car_listing.car_purchased")
        fields = ["kind", "data", "route", "request_id", "key", "status", "attempts", "claimed_at", "delivered_at",
                  "last_error"]
        assert [getattr(event, f) for f in fields] == [getattr(reference, f) for f in fields]
        assert event.data["seller_id"] == seller.pk and event.available_at == event.created_at

    def test_the_seller_keeps_a_record_of_what_they_sold(self, make_user, fund, listed_car):
        from django_car_listing import selectors

        seller, buyer, other = make_user(), make_user(), make_user()
        fund(buyer, "1500.00")
        car = listed_car(seller, price=Decimal("1000.00"))
        services.car_buy(buyer=buyer, store_key="", car_id=car.pk)
        sold = selectors.sold_by(user=seller)
        assert sold.count == 1
        assert (sold.results[0].car_id, sold.results[0].owner_id, sold.results[0].price) == (
            car.pk, buyer.pk, Decimal("1000.00"))
        assert selectors.sold_by(user=buyer).count == 0 and selectors.sold_by(user=other).count == 0

    @pytest.mark.parametrize("case", ["off_sale", "own", "not_verified", "short", "missing"])
    def test_refusals_change_nothing(self, case, make_user, fund, listed_car):
        seller, buyer = make_user(), make_user()
        fund(buyer, "500.00" if case == "short" else "5000.00")
        car = listed_car(seller, verify=case != "not_verified")
        if case == "off_sale":
            services.car_return_from_sale(actor=seller, store_key="", car_id=car.pk)
        # Off sale or not yet verified, the car is not listed: to a buyer it is not found.
        expected = {"off_sale": errors.CarNotFound, "own": errors.OwnCar, "not_verified": errors.CarNotFound,
                    "short": InsufficientFunds, "missing": errors.CarNotFound}[case]
        who = seller if case == "own" else buyer
        before = (_snapshot(car), balance(buyer), balance(seller), OwnershipRecord.objects.count())
        with pytest.raises(expected) as exc:
            services.car_buy(buyer=who, store_key="", car_id=car.pk + (999 if case == "missing" else 0))
        assert exc.value.status in (403, 404, 409)
        assert (_snapshot(car), balance(buyer), balance(seller), OwnershipRecord.objects.count()) == before
        assert not Event.objects.filter(kind="car_listing.car_purchased").exists()

    def test_verification_requirement_can_be_turned_off(self, settings, make_user, fund, listed_car):
        settings.CAR_LISTING_REQUIRE_VERIFICATION = False
        seller, buyer = make_user(), make_user()
        fund(buyer, "5000.00")
        car = listed_car(seller, verify=False)
        services.car_buy(buyer=buyer, store_key="", car_id=car.pk)
        assert _snapshot(car)[0] == buyer.pk

    def test_resale_loop_and_history(self, make_user, fund, listed_car):
        a, b, c = make_user(), make_user(), make_user()
        fund(b, "1000.00")
        fund(c, "1200.00")
        car = listed_car(a, price=Decimal("1000.00"))
        services.car_buy(buyer=b, store_key="", car_id=car.pk)
        with pytest.raises(errors.CarNotFound):  # b's car now, unlisted: the former owner no longer sees it
            services.car_put_on_sale(actor=a, store_key="", car_id=car.pk)
        services.car_put_on_sale(actor=b, store_key="", car_id=car.pk, price=Decimal("1200.00"))
        services.car_buy(buyer=c, store_key="", car_id=car.pk)
        assert [balance(u) for u in (a, b, c)] == [Decimal("1000.00"), Decimal("1200.00"), Decimal("0.00")]
        history = list(car.ownership_records.values_list("kind", "owner_id", "previous_owner_id", "price"))
        assert history == [("created", a.pk, None, None), ("purchase", b.pk, a.pk, Decimal("1000.00")),
                           ("purchase", c.pk, b.pk, Decimal("1200.00"))]
        prices = [h.price for h in car.history.order_by("history_id")]
        assert Decimal("1200.00") in prices and Decimal("1000.00") in prices

    def test_idempotent_retry_returns_first_result(self, make_user, fund, listed_car):
        seller, buyer = make_user(), make_user()
        fund(buyer, "5000.00")
        car = listed_car(seller)
        other = listed_car(seller)
        first = services.car_buy(buyer=buyer, store_key="", car_id=car.pk, idempotency_key="k1")
        again = services.car_buy(buyer=buyer, store_key="", car_id=car.pk, idempotency_key="k1")
        assert again.pk == first.pk and balance(buyer) == Decimal("4000.00")
        with pytest.raises(errors.IdempotencyConflict):
            services.car_buy(buyer=buyer, store_key="", car_id=other.pk, idempotency_key="k1")
        assert balance(buyer) == Decimal("4000.00")

    def test_a_replays_car_is_read_in_the_public_store_before_it_is_returned(
            self, settings, make_user, fund, listed_car, store, django_assert_num_queries):
        """On django-tenants car_listing_car is in every store: a replay's car (the buyer's, a public one) is read
        in the public store, and before car_buy returns, even when the request runs in a dealer's store."""
        from django.db import connection

        from tests import stores

        seller, buyer = make_user(), make_user()
        fund(buyer, "9000.00")
        public = listed_car(seller)
        store("dealer1")
        dealers = listed_car(store_key="dealer1", manager=make_user(perms=["car_listing.add_car",
                                                                           "car_listing.change_car"]))
        store("")
        wallet.system_account("store:dealer1")
        bought = {key: services.car_buy(buyer=buyer, store_key=car.store_key, car_id=car.pk, idempotency_key=key)
                  for key, car in (("public", public), ("store", dealers))}
        settings.CAR_LISTING_STORE_CONTEXT = "tests.stores.tracking_context"
        car_reads = []

        def track(execute, sql, params, many, context):
            if 'FROM "car_listing_car" ' in sql:
                car_reads.append(stores.active_store())
            return execute(sql, params, many, context)

        for key, car in (("public", public), ("store", dealers)):
            car_reads.clear()
            with stores.tracking_context("dealer1"), connection.execute_wrapper(track):
                again = services.car_buy(buyer=buyer, store_key=car.store_key, car_id=car.pk, idempotency_key=key)
                with django_assert_num_queries(0):  # already read
                    assert (again.pk, again.car.pk, again.car.owner_id) == (
                        bought[key].pk, bought[key].car.pk, buyer.pk)
            # The lock reads the store's car in its store; the replay's car is read once, in public.
            assert car_reads == (["dealer1", ""] if key == "store" else [""]), (key, car_reads)

    def test_a_reused_key_on_another_public_car_is_refused_by_the_unique_index(
            self, make_user, fund, listed_car, monkeypatch):
        # Past the look-up (as when a concurrent request with the key commits between it and the write): the
        # unique index refuses the record, the purchase ends in IdempotencyConflict and nothing is written.
        seller, buyer = make_user(), make_user()
        fund(buyer, "5000.00")
        car, other = listed_car(seller), listed_car(seller)
        services.car_buy(buyer=buyer, store_key="", car_id=car.pk, idempotency_key="k1")
        monkeypatch.setattr(purchase_module, "_idempotent_replay", lambda **kwargs: None)
        records = OwnershipRecord.objects.count()
        with pytest.raises(errors.IdempotencyConflict):
            services.car_buy(buyer=buyer, store_key="", car_id=other.pk, idempotency_key="k1")
        assert (balance(buyer), balance(seller)) == (Decimal("4000.00"), Decimal("1000.00"))
        assert _snapshot(other) == (seller.pk, True, False)
        assert OwnershipRecord.objects.count() == records
        assert ListingIndex.objects.get(car_id=other.pk).is_for_sale


class StorePurchaseTests:
    def test_store_car_becomes_buyers_public_car_and_a_sale(self, make_user, fund, listed_car, store):
        manager = make_user(perms=["car_listing.add_car", "car_listing.change_car"])
        buyer = make_user()
        fund(buyer, "3000.00")
        store("dealer1")
        car = listed_car(store_key="dealer1", manager=manager, price=Decimal("2500.00"))
        CarImage.objects.create(car=car, image="car_listing/dealer1/a.jpg", thumbnail="car_listing/dealer1/t.jpg")
        store("")
        dealer_account = wallet.system_account("store:dealer1")
        record = services.car_buy(buyer=buyer, store_key="dealer1", car_id=car.pk)

        car.refresh_from_db()
        assert (car.is_for_sale, car.is_sold, car.owner_id, car.store_key) == (False, True, None, "dealer1")
        sale = StoreSale.objects.get(car=car)
        assert (sale.buyer_id, sale.price, sale.store_key) == (buyer.pk, Decimal("2500.00"), "dealer1")
        mine = record.car
        assert mine.pk != car.pk and sale.public_car_id == mine.pk
        assert (mine.store_key, mine.owner_id, mine.vin, mine.origin_store_key, mine.origin_car_id) == (
            "", buyer.pk, car.vin, "dealer1", car.pk)
        assert list(mine.images.values_list("image", flat=True)) == ["car_listing/dealer1/a.jpg"]
        assert record.kind == "store_purchase" and record.from_store_key == "dealer1"
        assert balance(buyer) == Decimal("500.00") and balance(dealer_account) == Decimal("2500.00")
        assert not ListingIndex.objects.filter(store_key="dealer1", car_id=car.pk).exists()
        # The buyer's car, not for sale, is indexed by the purchase event's handler, after the commit.
        assert not ListingIndex.objects.filter(store_key="", car_id=mine.pk).exists()
        events_relay()
        row = ListingIndex.objects.get(store_key="", car_id=mine.pk)
        assert (row.owner_id, row.is_for_sale, row.thumbnail) == (buyer.pk, False, "car_listing/dealer1/t.jpg")
        # The buyer can sell it on, in the public store.
        services.car_put_on_sale(actor=buyer, store_key="", car_id=mine.pk)
        assert ListingIndex.objects.get(store_key="", car_id=mine.pk).is_for_sale

    def test_the_sales_event_written_with_the_sale_is_the_one_record_car_purchased_writes(self, bought_store_car):
        from django_car_listing.services.events import record_car_purchased

        buyer, mine, event = bought_store_car
        sale = StoreSale.objects.get(public_car_id=mine.pk)
        with transaction.atomic():
            record_car_purchased(car=sale.car, buyer=buyer, seller_id=None, buyer_car_id=mine.pk, sale_id=sale.pk)
        reference = Event.objects.exclude(pk=event.pk).get(kind="car_listing.car_purchased")
        fields = ["kind", "data", "route", "request_id", "key", "status", "attempts", "claimed_at", "delivered_at",
                  "last_error"]
        assert [getattr(event, f) for f in fields] == [getattr(reference, f) for f in fields]
        assert event.data["sale_id"] == sale.pk and event.available_at == event.created_at

    def test_the_bought_cars_index_handled_late_or_twice_leaves_its_listing_as_it_is(self, bought_store_car):
        from django_car_listing import handlers

        buyer, mine, event = bought_store_car
        services.car_put_on_sale(actor=buyer, store_key="", car_id=mine.pk, price=Decimal("2600.00"))
        listed = ListingIndex.objects.get(store_key="", car_id=mine.pk)
        for _ in range(2):  # handled after the buyer listed the car, then delivered again
            handlers.index_bought_car(event)
        row = ListingIndex.objects.get(store_key="", car_id=mine.pk)
        assert (row.is_for_sale, row.price, row.listed_at) == (True, Decimal("2600.00"), listed.listed_at)

    def test_failure_after_payment_rolls_everything_back(self, make_user, fund, listed_car, store, monkeypatch):
        manager = make_user(perms=["car_listing.add_car", "car_listing.change_car"])
        buyer = make_user()
        fund(buyer, "3000.00")
        car = listed_car(store_key="dealer1", manager=manager, price=Decimal("2500.00"))
        original = purchase_module._record_store_sale
        reached = []

        def failing(**kwargs):
            original(**kwargs)  # payment done, car moved, sale written ...
            reached.append(True)
            raise RuntimeError("injected")

        monkeypatch.setattr(purchase_module, "_record_store_sale", failing)
        cars_before = Car.objects.count()
        with pytest.raises(RuntimeError):
            services.car_buy(buyer=buyer, store_key="dealer1", car_id=car.pk)
        assert reached == [True]
        car.refresh_from_db()
        assert (car.is_for_sale, car.is_sold) == (True, False)
        assert Car.objects.count() == cars_before and not StoreSale.objects.exists()
        assert balance(buyer) == Decimal("3000.00")
        assert balance(wallet.system_account("store:dealer1")) == Decimal("0.00")
        assert ListingIndex.objects.get(store_key="dealer1", car_id=car.pk).is_for_sale

    def test_public_failure_after_payment_rolls_back(self, make_user, fund, listed_car, monkeypatch):
        seller, buyer = make_user(), make_user()
        fund(buyer, "3000.00")
        car = listed_car(seller)
        original = purchase_module._move_public_car

        def failing(**kwargs):
            original(**kwargs)
            raise RuntimeError("injected")

        monkeypatch.setattr(purchase_module, "_move_public_car", failing)
        with pytest.raises(RuntimeError):
            services.car_buy(buyer=buyer, store_key="", car_id=car.pk)
        assert _snapshot(car) == (seller.pk, True, False)
        assert balance(buyer) == Decimal("3000.00") and balance(seller) == Decimal("0.00")
        assert not Event.objects.filter(kind="car_listing.car_purchased").exists()

    def test_the_payment_is_the_last_write_and_a_failure_after_it_rolls_everything_back(
            self, make_user, fund, listed_car, monkeypatch):
        manager = make_user(perms=["car_listing.add_car", "car_listing.change_car"])
        buyer = make_user()
        fund(buyer, "3000.00")
        car = listed_car(store_key="dealer1", manager=manager, price=Decimal("2500.00"))
        original, written = wallet.transfer, []

        def paid_then_failing(**kwargs):
            # Every row that refers to the transaction is written before the payment, under its id.
            with purchase_module.conf.store_context("dealer1"):
                written.append(StoreSale.objects.filter(wallet_transaction_id=kwargs["transaction_id"]).count())
            written.append(OwnershipRecord.objects.filter(wallet_transaction_id=kwargs["transaction_id"]).count())
            assert original(**kwargs).pk == kwargs["transaction_id"]
            raise RuntimeError("injected")

        monkeypatch.setattr(purchase_module.wallet, "transfer", paid_then_failing)
        cars_before = Car.objects.count()
        with pytest.raises(RuntimeError):
            services.car_buy(buyer=buyer, store_key="dealer1", car_id=car.pk)
        assert written == [1, 1]
        car.refresh_from_db()
        assert (car.is_for_sale, car.is_sold) == (True, False)
        assert Car.objects.count() == cars_before and not StoreSale.objects.exists()
        assert balance(buyer) == Decimal("3000.00")
        assert balance(wallet.system_account("store:dealer1")) == Decimal("0.00")

    def test_store_cars_need_store_permission(self, make_user, car_data, listed_car):
        manager = make_user(perms=["car_listing.add_car", "car_listing.change_car"])
        outsider = make_user()
        with pytest.raises(errors.NotAllowed):
            services.car_create(actor=outsider, store_key="dealer1", **car_data())
        car = listed_car(store_key="dealer1", manager=manager)
        for fn in (services.car_return_from_sale, services.car_delete):
            with pytest.raises(errors.NotOwner):
                fn(actor=outsider, store_key="dealer1", car_id=car.pk)
        # A car of another store is not reachable under this store's key.
        with pytest.raises(errors.CarNotFound):
            services.car_return_from_sale(actor=manager, store_key="dealer2", car_id=car.pk)
        car.refresh_from_db()
        assert car.is_for_sale and car.deleted_at is None


class PurchaseHistoryTests:
    """A purchase appends the cars' history rows in the statements that write the cars (services/history.py),
    not through simple-history's post_save: each row must be the one that signal writes for the same save."""

    @staticmethod
    def _rows_match_the_signals(car_id: int, user, kind: str, before, after) -> None:
        from django.db.models.signals import post_save

        row = Car.history.filter(id=car_id).order_by("-history_id").first()
        saved = Car.objects.get(pk=car_id)
        assert (row.history_type, row.history_user_id, row.history_change_reason) == (kind, user.pk, None)
        assert before <= row.history_date <= after and row.history_date == saved.updated_at
        saved._history_user, saved._history_date = user, row.history_date
        post_save.send(sender=Car, instance=saved, created=kind == "+")  # what a save through the ORM writes
        reference = Car.history.filter(id=car_id).order_by("-history_id").first()
        fields = [f.attname for f in Car.history.model._meta.concrete_fields if f.name != "history_id"]
        assert reference.history_id != row.history_id
        assert {f: getattr(row, f) for f in fields} == {f: getattr(reference, f) for f in fields}

    def test_a_store_purchase_records_both_cars_as_the_signal_would(self, make_user, fund, listed_car, store):
        from django.utils import timezone

        buyer = make_user()
        fund(buyer, "3000.00")
        store("dealer1")
        manager = make_user(perms=["car_listing.add_car", "car_listing.change_car"])
        car = listed_car(store_key="dealer1", manager=manager, price=Decimal("2500.00"))
        store("")
        wallet.system_account("store:dealer1")
        before = timezone.now()
        mine = services.car_buy(buyer=buyer, store_key="dealer1", car_id=car.pk).car
        after = timezone.now()
        self._rows_match_the_signals(car.pk, buyer, "~", before, after)
        self._rows_match_the_signals(mine.pk, buyer, "+", before, after)
        assert Car.history.filter(id=mine.pk).count() == 2  # the purchase's row and the reference

    def test_a_public_purchase_records_the_car_as_the_signal_would(self, make_user, fund, listed_car):
        from django.utils import timezone

        seller, buyer = make_user(), make_user()
        fund(buyer, "1500.00")
        car = listed_car(seller, price=Decimal("1000.00"))
        before = timezone.now()
        services.car_buy(buyer=buyer, store_key="", car_id=car.pk)
        self._rows_match_the_signals(car.pk, buyer, "~", before, timezone.now())
        assert car.history.filter(history_user_id=buyer.pk, owner_id=buyer.pk, is_sold=True).exists()


def test_sold_store_car_is_frozen(make_user, fund, listed_car):
    manager = make_user(perms=["car_listing.add_car", "car_listing.change_car"])
    buyer = make_user()
    fund(buyer, "5000.00")
    car = listed_car(store_key="dealer1", manager=manager)
    services.car_buy(buyer=buyer, store_key="dealer1", car_id=car.pk)
    for call in (lambda: services.car_put_on_sale(actor=manager, store_key="dealer1", car_id=car.pk),
                 lambda: services.car_update(actor=manager, store_key="dealer1", car_id=car.pk, price=Decimal("1.00"))):
        with pytest.raises(errors.CarSold):
            call()
    car.refresh_from_db()
    assert (car.is_for_sale, car.is_sold, car.price) == (False, True, Decimal("1000.00"))
    # A sold store car's VIN may be stocked again by the store (trade-in), it is an archive row now.
    services.car_create(actor=manager, store_key="dealer1", make="Toyota", model="Corolla", year=2019,
                        price=Decimal("900.00"), vin=car.vin)


class CarMarkSoldTests:
    def test_offline_sale_takes_the_store_car_off_the_marketplace_for_good(self, make_user, fund, listed_car, store):
        manager = make_user(perms=["car_listing.add_car", "car_listing.change_car"])
        store("dealer1")
        car = listed_car(store_key="dealer1", manager=manager)
        assert ListingIndex.objects.filter(store_key="dealer1", car_id=car.pk, is_for_sale=True).exists()
        services.car_mark_sold(store_key="dealer1", car_id=car.pk, actor=manager)
        car.refresh_from_db()
        assert (car.is_for_sale, car.is_sold) == (False, True)
        assert not ListingIndex.objects.filter(store_key="dealer1", car_id=car.pk, is_for_sale=True).exists()
        buyer = make_user()
        fund(buyer, "5000")
        with pytest.raises(errors.CarNotAvailable):
            services.car_buy(buyer=buyer, store_key="dealer1", car_id=car.pk)
        with pytest.raises(errors.CarNotAvailable):  # sold once only
            services.car_mark_sold(store_key="dealer1", car_id=car.pk)
        with pytest.raises(errors.CarSold):  # and it can't be listed again
            services.car_put_on_sale(actor=manager, store_key="dealer1", car_id=car.pk)
        assert balance(buyer) == Decimal("5000")


class ConstraintMatchTests:
    """A violation is told by the constraint's name the driver reports, never by the message, whose DETAIL
    line quotes the row's values: user data may hold a constraint's name."""

    @pytest.mark.parametrize(("constraint", "mapped"), [
        ("car_listing_purchase_idem_uniq", purchase_module._raise_for),
        ("car_listing_car_vin_live_uniq", services.cars.raise_duplicate_vin),
    ])
    def test_another_constraints_violation_naming_it_in_its_detail_is_not_mapped(
            self, make_user, constraint, mapped):
        from django.db import IntegrityError

        make_user(username=constraint)
        with pytest.raises(IntegrityError) as caught, transaction.atomic():
            make_user(username=constraint)  # the user table's unique username, the name in its DETAIL
        assert constraint in str(caught.value)
        with pytest.raises(IntegrityError) as raised:
            mapped(caught.value)
        assert raised.value is caught.value

    def test_an_error_without_the_drivers_diagnostics_is_not_mapped(self):
        from django.db import IntegrityError

        from django_car_listing.services._common import violates

        assert not violates(IntegrityError("car_listing_purchase_idem_uniq"), "car_listing_purchase_idem_uniq")
        with pytest.raises(IntegrityError):
            services.cars.raise_duplicate_vin(IntegrityError("car_listing_car_vin_live_uniq"))


@pytest.mark.parametrize(("reported", "matched"), [
    ("car_listing_purchase_idem_uniq", True),
    ("car_listing_purchase_idem_uniq_102023", True),  # a Citus worker names the shard's constraint
    ("car_listing_purchase_idem_uniq_x", False),
    ("car_listing_purchase_idem_uniq2", False),
    ("car_listing_purchase_idem", False),
])
def test_a_constraint_is_told_by_its_name_or_its_shards(reported, matched):
    from types import SimpleNamespace

    from django.db import IntegrityError

    from django_car_listing.services._common import violates

    class DriverError(Exception):  # psycopg's errors carry their diagnostics in ``diag``
        diag = SimpleNamespace(constraint_name=reported)

    exc = IntegrityError("duplicate key")
    exc.__cause__ = DriverError()
    assert violates(exc, "car_listing_purchase_idem_uniq") is matched
