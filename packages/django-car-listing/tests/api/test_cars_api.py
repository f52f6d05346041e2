import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from django_car_listing.models import Car, CarImage, DailyCarStats, Interaction, OwnershipRecord, SavedCar
from django_wallet import services as wallet
from tests import stores
from tests.conftest import balance, make_vin

pytestmark = pytest.mark.django_db


def _png(w=64, h=48, fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (w, h), (200, 10, 10)).save(out, format=fmt)
    return out.getvalue()


def _claiming_png(w: int, h: int) -> bytes:
    """A small PNG whose header claims w x h pixels (cheap stand-in for a decompression bomb)."""
    import struct
    import zlib

    data = bytearray(_png(8, 8))
    ihdr = bytearray(data[12:29])  # b"IHDR" + 13 bytes
    ihdr[4:12] = struct.pack(">II", w, h)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)) & 0xFFFFFFFF)
    return bytes(data)


def _upload(data: bytes, name="car.png", ctype="image/png"):
    return SimpleUploadedFile(name, data, content_type=ctype)


class CarApiFlowTests:
    def test_create_sell_buy_history(self, make_user, staff, fund, api):
        seller, buyer = make_user(), make_user()
        fund(buyer, "20000.00")
        r = api(seller).post("/api/cars/", {"make": "Mazda", "model": "3", "year": 2020, "price": "15000.00",
                                            "vin": make_vin(), "body_type": "hatchback"}, format="json")
        assert r.status_code == 201, r.content
        car_id = r.json()["id"]
        assert (r.json()["owner_id"], r.json()["is_for_sale"], r.json()["is_sold"]) == (seller.pk, False, False)
        # Unlisted (not yet on sale, then not yet verified): to anyone but its owner and verifiers it is not
        # found, whatever the operation.
        assert api(buyer).post(f"/api/cars/{car_id}/put-on-sale/").json()["code"] == "car_not_found"
        assert api(seller).post(f"/api/cars/{car_id}/put-on-sale/").status_code == 200
        r = api(buyer).post(f"/api/cars/{car_id}/buy/")
        assert (r.status_code, r.json()["code"]) == (404, "car_not_found")
        assert api(seller).post(f"/api/cars/{car_id}/verify/").status_code == 403
        assert api(buyer).post(f"/api/cars/{car_id}/verify/").json()["code"] == "car_not_found"
        assert api(staff).post(f"/api/cars/{car_id}/verify/").json()["verification_status"] == "verified"
        assert api(seller).post(f"/api/cars/{car_id}/buy/").json()["code"] == "own_car"
        r = api(buyer).post(f"/api/cars/{car_id}/buy/", HTTP_IDEMPOTENCY_KEY="abc")
        assert r.status_code == 201, r.content
        assert r.json()["car"]["owner_id"] == buyer.pk
        again = api(buyer).post(f"/api/cars/{car_id}/buy/", HTTP_IDEMPOTENCY_KEY="abc")
        assert again.status_code == 201 and again.json()["id"] == r.json()["id"]
        assert balance(buyer) == Decimal("5000.00") and balance(seller) == Decimal("15000.00")
        third = make_user()
        assert api(third).post(f"/api/cars/{car_id}/buy/").json()["code"] == "car_not_available"
        hist = api(buyer).get(f"/api/cars/{car_id}/history/").json()
        assert [h["kind"] for h in hist["ownership"]] == ["created", "purchase"]
        assert api(buyer).get("/api/cars/purchases/").json()["count"] == 1
        assert [c["id"] for c in api(buyer).get("/api/cars/mine/").json()["results"]] == [car_id]

    def test_price_history_sends_money_as_strings(self, make_user, listed_car, api):
        """Like every other amount, a price in the history is a JSON string with two places, never a number
        (``1234.5`` loses the cents' meaning and invites float rounding in clients)."""
        from django_car_listing import services

        seller = make_user()
        car = listed_car(seller, price=Decimal("1234.50"))
        services.car_update(actor=seller, store_key="", car_id=car.pk, price=Decimal("1100"))
        prices = [h["price"] for h in api(seller).get(f"/api/cars/{car.pk}/history/").json()["price_history"]]
        assert prices[0] == "1234.50" and prices[-1] == "1100.00", prices
        assert all(isinstance(price, str) for price in prices)

    @pytest.mark.parametrize("store_key", ["", "dealer1"])
    def test_a_purchase_answers_what_the_serializers_make_of_the_stored_rows(self, store_key, make_user, fund,
                                                                             listed_car, store, api):
        """The response is built from the rows the purchase wrote and read (images included), not read
        again: it must be what PurchaseOutput makes of them read back."""
        import json

        from django_car_listing import conf
        from django_car_listing.api.serializers import PurchaseOutput
        from django_car_listing.models import OwnershipRecord

        buyer, manager = make_user(), make_user(perms=["car_listing.add_car", "car_listing.change_car"])
        fund(buyer, "20000.00")
        store(store_key)
        car = listed_car(None if store_key else make_user(), store_key=store_key, manager=manager)
        for position, name in [(1, "b"), (0, "a")]:
            CarImage.objects.create(car=car, image=f"car_listing/x/{name}.jpg", thumbnail=f"car_listing/x/t{name}.jpg",
                                    width=640, height=480, position=position)
        store("")
        wallet.system_account("store:dealer1")
        r = api(buyer).post(f"/api/cars/{car.pk}/buy/?store={store_key}")
        assert r.status_code == 201, r.content
        with conf.public_context():
            stored = json.loads(json.dumps(PurchaseOutput(OwnershipRecord.objects.get(pk=r.json()["id"])).data))
        assert r.json() == stored
        assert [i["url"].rsplit("/", 1)[1] for i in r.json()["car"]["images"]] == ["a.jpg", "b.jpg"]

    def test_short_balance_is_4xx_and_nothing_changes(self, make_user, fund, listed_car, api):
        seller, buyer = make_user(), make_user()
        fund(buyer, "10.00")
        car = listed_car(seller)
        r = api(buyer).post(f"/api/cars/{car.pk}/buy/")
        assert (r.status_code, r.json()["code"]) == (409, "insufficient_funds")
        car.refresh_from_db()
        assert car.owner_id == seller.pk and car.is_for_sale and balance(buyer) == Decimal("10.00")

    def test_validation_errors_are_4xx(self, make_user, api):
        user = make_user()
        r = api(user).post("/api/cars/", {"make": "X", "model": "Y", "year": 2020, "price": "1.001",
                                          "vin": "short"}, format="json")
        assert r.status_code == 400 and {"price", "vin"} <= set(r.json()["fields"])
        r = api(user).post("/api/cars/", {"make": "X", "model": "Y", "year": 2020, "price": "10.00",
                                          "vin": "1M8GDM9A1KP042788"}, format="json")
        assert (r.status_code, r.json()["code"]) == (400, "invalid_vin")
        assert api().post("/api/cars/", {}, format="json").status_code in (401, 403)
        assert api(user).get("/api/cars/", {"page_size": 1000}).status_code == 400
        assert api(user).get("/api/cars/999999/").json()["code"] == "car_not_found"

    @pytest.mark.parametrize("query", [{"page": 10**20}, {"year_min": 10**20}, {"year_max": -(10**20)}])
    def test_out_of_range_numbers_in_search_are_400_not_500(self, make_user, api, query):
        """Found by the site's API fuzzer: an offset or year past bigint reached PostgreSQL (DataError)."""
        r = api(make_user()).get("/api/cars/", query)
        assert r.status_code == 400

    def test_out_of_range_numbers_in_bodies_are_400_not_500(self, make_user, api, car_data):
        from django_car_listing import services

        owner = make_user()
        car = services.car_create(actor=owner, **car_data())
        body = {"make": "X", "model": "Y", "year": 2020, "price": "10.00", "vin": make_vin(), "mileage": 10**12}
        r = api(owner).post("/api/cars/", body, format="json")
        assert r.status_code == 400 and "mileage" in r.json()["fields"]
        r = api(owner).post(f"/api/cars/{car.pk}/images/reorder/", {"ids": [10**20]}, format="json")
        assert r.status_code == 400 and "ids" in r.json()["fields"]

    def test_unlisted_car_hidden_from_others_and_soft_delete(self, make_user, car_data, api):
        from django_car_listing import services

        owner, other = make_user(), make_user()
        car = services.car_create(actor=owner, **car_data())
        assert api(other).get(f"/api/cars/{car.pk}/").status_code == 404
        assert api(owner).get(f"/api/cars/{car.pk}/").status_code == 200
        # Every operation on it, not just the read, is a 404 to others: none tells it exists.
        missing = api(other).patch("/api/cars/999999/", {"price": "5.00"}, format="json").json()
        assert api(other).patch(f"/api/cars/{car.pk}/", {"price": "5.00"}, format="json").json() == missing
        for action in ("put-on-sale", "return-from-sale", "save", "buy", "verify", "images/reorder"):
            r = api(other).post(f"/api/cars/{car.pk}/{action}/", {"ids": []}, format="json")
            assert (r.status_code, r.json()["code"]) == (404, "car_not_found"), (action, r.json())
        assert api(owner).patch(f"/api/cars/{car.pk}/", {"price": "5.00"}, format="json").json()["price"] == "5.00"
        assert api(other).delete(f"/api/cars/{car.pk}/").status_code == 404
        assert api(owner).delete(f"/api/cars/{car.pk}/").status_code == 204
        assert Car.objects.get(pk=car.pk).deleted_at is not None
        assert api(owner).get(f"/api/cars/{car.pk}/").status_code == 404


class StoreIsolationTests:
    def test_dealer1_cars_never_editable_from_dealer2(self, make_user, listed_car, api):
        staff1 = make_user(perms=["car_listing.add_car", "car_listing.change_car"])
        staff2 = make_user(perms=["car_listing.add_car", "car_listing.change_car"])
        stores.set_current_store("dealer1")
        car = listed_car(store_key="dealer1", manager=staff1)
        stores.set_current_store("dealer2")
        client = api(staff2)
        for method, url, body in [("patch", f"/api/cars/{car.pk}/", {"price": "1.00"}),
                                  ("patch", f"/api/cars/{car.pk}/?store=dealer1", {"price": "1.00"}),
                                  ("delete", f"/api/cars/{car.pk}/?store=dealer1", None),
                                  ("post", f"/api/cars/{car.pk}/return-from-sale/?store=dealer1", None),
                                  ("post", f"/api/cars/{car.pk}/feature/?store=dealer1", {"days": 1})]:
            r = getattr(client, method)(url, body, format="json")
            assert (r.status_code, r.json()["code"]) == (404, "car_not_found"), url
        car.refresh_from_db()
        assert car.price == Decimal("1000.00") and car.is_for_sale and car.deleted_at is None
        # The dealer's host lists only its own inventory; its staff manage it there.
        assert api().get("/api/cars/").json()["count"] == 0
        stores.set_current_store("dealer1")
        assert [r["id"] for r in api().get("/api/cars/").json()["results"]] == [car.pk]
        assert api(staff1).patch(f"/api/cars/{car.pk}/", {"price": "900.00"}, format="json").status_code == 200
        assert api(staff1).get("/api/cars/mine/").json()["count"] == 1

    def test_buy_dealer_car_from_marketplace(self, make_user, fund, listed_car, api):
        staff1 = make_user(perms=["car_listing.add_car", "car_listing.change_car"])
        buyer = make_user()
        fund(buyer, "1000.00")
        car = listed_car(store_key="dealer1", manager=staff1)
        listing = api().get("/api/cars/").json()["results"][0]
        assert (listing["store"], listing["id"], listing["store_name"]) == ("dealer1", car.pk, "Dealer dealer1")
        r = api(buyer).post(f"/api/cars/{car.pk}/buy/?store=dealer1")
        assert r.status_code == 201, r.content
        assert r.json()["from_store"] == "dealer1" and r.json()["car"]["store"] == ""
        assert balance(wallet.system_account("store:dealer1")) == Decimal("1000.00")

    @pytest.mark.parametrize("store_key", ["dealer1", ""])
    def test_a_key_reused_on_another_car_is_a_conflict_and_the_first_still_replays(self, store_key, make_user, fund,
                                                                                   listed_car, api):
        manager = make_user(perms=["car_listing.add_car", "car_listing.change_car"])
        seller, buyer = (None, make_user()) if store_key else (make_user(), make_user())
        fund(buyer, "5000.00")
        first, other = (listed_car(seller, store_key=store_key, manager=manager, price=Decimal("1000.00"))
                        for _ in range(2))
        payee = wallet.system_account(f"store:{store_key}") if store_key else wallet.account_for(seller)
        bought = api(buyer).post(f"/api/cars/{first.pk}/buy/?store={store_key}", HTTP_IDEMPOTENCY_KEY="K")
        assert bought.status_code == 201, bought.content
        moved = (balance(buyer), balance(payee))
        conflict = api(buyer).post(f"/api/cars/{other.pk}/buy/?store={store_key}", HTTP_IDEMPOTENCY_KEY="K")
        assert (conflict.status_code, conflict.json()["code"]) == (409, "idempotency_conflict"), conflict.content
        assert (balance(buyer), balance(payee)) == moved == (Decimal("4000.00"), Decimal("1000.00"))
        other.refresh_from_db()
        assert (other.is_for_sale, other.is_sold, other.owner_id) == (True, False, seller and seller.pk)
        assert OwnershipRecord.objects.filter(owner=buyer, kind__in=["purchase", "store_purchase"]).count() == 1
        replay = api(buyer).post(f"/api/cars/{first.pk}/buy/?store={store_key}", HTTP_IDEMPOTENCY_KEY="K")
        assert (replay.status_code, replay.json()["id"]) == (bought.status_code, bought.json()["id"])
        assert (balance(buyer), balance(payee)) == moved


class VerificationAndFeatureTests:
    def test_verify_twice_noop_and_reject_needs_reason(self, make_user, staff, car_data, api):
        from django_car_listing import services, signals

        owner = make_user()
        car = services.car_create(actor=owner, **car_data())
        received = []
        signals.car_verified.connect(lambda **kw: received.append(kw["car_id"]), weak=False, dispatch_uid="t")
        try:
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr("django.db.transaction.on_commit", lambda fn, *a, **k: fn())
                for _ in range(2):
                    assert api(staff).post(f"/api/cars/{car.pk}/verify/").status_code == 200
        finally:
            signals.car_verified.disconnect(dispatch_uid="t")
        assert received == [car.pk]
        r = api(staff).post(f"/api/cars/{car.pk}/reject/", {"reason": " "}, format="json")
        assert r.status_code == 400
        r = api(staff).post(f"/api/cars/{car.pk}/reject/", {"reason": "Blurry photos"}, format="json")
        assert (r.json()["verification_status"], r.json()["rejection_reason"]) == ("rejected", "Blurry photos")
        assert api(owner).post(f"/api/cars/{car.pk}/reject/", {"reason": "x"}, format="json").status_code == 403

    def test_feature_charges_fee(self, settings, make_user, fund, listed_car, api):
        settings.CAR_LISTING_FEATURE_FEE_PER_DAY = Decimal("2.50")
        owner = make_user()
        fund(owner, "10.00")
        car = listed_car(owner)
        fees = wallet.system_account("fees")
        before = balance(fees)
        r = api(owner).post(f"/api/cars/{car.pk}/feature/", {"days": 3}, format="json")
        assert r.status_code == 200 and r.json()["featured_until"]
        assert balance(owner) == Decimal("2.50") and balance(fees) - before == Decimal("7.50")
        r = api(owner).post(f"/api/cars/{car.pk}/feature/", {"days": 3}, format="json")
        assert (r.status_code, r.json()["code"]) == (409, "insufficient_funds")
        assert api(owner).post(f"/api/cars/{car.pk}/feature/", {"days": 0}, format="json").status_code == 400
        assert api(make_user()).post(f"/api/cars/{car.pk}/feature/", {"days": 1}, format="json").status_code == 403


class EngagementTests:
    def test_save_unsave_saved_list(self, make_user, listed_car, api):
        user = make_user()
        car = listed_car(make_user())
        assert api(user).post(f"/api/cars/{car.pk}/save/").status_code == 201
        assert api(user).post(f"/api/cars/{car.pk}/save/").status_code == 201  # idempotent
        saved = api(user).get("/api/cars/saved/").json()
        assert saved["count"] == 1 and saved["results"][0]["listing"]["id"] == car.pk
        assert api(user).post(f"/api/cars/{car.pk}/unsave/").status_code == 204
        assert not SavedCar.objects.exists()
        assert api(user).post("/api/cars/99999/save/").status_code == 404

    def test_interactions_dedup_and_analytics(self, make_user, listed_car, api):
        owner, u1, u2 = make_user(), make_user(), make_user()
        car = listed_car(owner)
        for _ in range(3):
            api(u1).post(f"/api/cars/{car.pk}/track/", {"kind": "view"}, format="json")
        assert api(u2).post(f"/api/cars/{car.pk}/track/", {"kind": "view"}, format="json").json() == {"recorded": True}
        anon = api()
        assert anon.post(f"/api/cars/{car.pk}/track/", {"kind": "view"}, format="json").json() == {"recorded": True}
        assert anon.post(f"/api/cars/{car.pk}/track/", {"kind": "view"}, format="json").json() == {"recorded": False}
        api(u1).post(f"/api/cars/{car.pk}/track/", {"kind": "click"}, format="json")
        api(u1).post(f"/api/cars/{car.pk}/save/")
        assert api(u1).post(f"/api/cars/{car.pk}/track/", {"kind": "nope"}, format="json").status_code == 400
        assert Interaction.objects.filter(kind="view").count() == 3
        stats = DailyCarStats.objects.get(car_id=car.pk)
        assert (stats.views, stats.clicks, stats.saves) == (3, 1, 1)
        stores.LEADS[("", car.pk)] = 1
        assert api(u1).get(f"/api/cars/{car.pk}/analytics/").status_code == 403
        data = api(owner).get(f"/api/cars/{car.pk}/analytics/").json()
        assert data["totals"] == {"views": 3, "likes": 0, "clicks": 1, "saves": 1, "leads": 1}
        assert data["conversion"] == {"view_to_save": "0.3333", "save_to_lead": "1.0000", "view_to_lead": "0.3333"}
        assert len(data["daily"]) == 1


class ImageTests:
    def test_upload_reorder_delete(self, make_user, car_data, api):
        from django_car_listing import services

        owner = make_user()
        car = services.car_create(actor=owner, **car_data())
        ids = []
        for fmt, name in (("PNG", "a.png"), ("JPEG", "b.jpg"), ("WEBP", "c.webp")):
            r = api(owner).post(f"/api/cars/{car.pk}/images/", {"image": _upload(_png(fmt=fmt), name)},
                                format="multipart")
            assert r.status_code == 201, r.content
            assert r.json()["thumbnail_url"] and (r.json()["width"], r.json()["height"]) == (64, 48)
            ids.append(r.json()["id"])
        img = CarImage.objects.get(pk=ids[0])
        from django_car_listing.models import ListingIndex

        assert ListingIndex.objects.get(car_id=car.pk).thumbnail == img.thumbnail.name
        assert img.image.name.startswith("car_listing/_public/")
        r = api(owner).post(f"/api/cars/{car.pk}/images/reorder/", {"ids": ids[::-1]}, format="json")
        assert [i["id"] for i in r.json()] == ids[::-1]
        assert api(owner).post(f"/api/cars/{car.pk}/images/reorder/", {"ids": ids[:1]},
                               format="json").json()["code"] == "invalid_reorder"
        assert api(make_user()).delete(f"/api/cars/{car.pk}/images/{ids[0]}/").status_code == 404  # unlisted
        assert api(owner).delete(f"/api/cars/{car.pk}/images/{ids[0]}/").status_code == 204
        assert list(car.images.values_list("id", flat=True)) == [ids[2], ids[1]]

    @pytest.mark.parametrize("payload,code", [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "invalid_image"),
        (b"not an image at all", "invalid_image"),
        ("gif", "invalid_image"),
        ("huge", "image_too_large"),
        ("bytes", "image_too_large"),
    ])
    def test_refused_uploads(self, payload, code, settings, make_user, car_data, api):
        from django_car_listing import services

        owner = make_user()
        car = services.car_create(actor=owner, **car_data())
        settings.CAR_LISTING_IMAGE_MAX_DIMENSION = 1000
        if payload == "gif":
            payload = _png(fmt="GIF")
        elif payload == "huge":
            payload = _png(w=1001, h=10)
        elif payload == "bytes":
            settings.CAR_LISTING_IMAGE_MAX_BYTES = 100
            payload = _png()
        r = api(owner).post(f"/api/cars/{car.pk}/images/", {"image": _upload(payload, "x.png")}, format="multipart")
        assert (r.status_code, r.json()["code"]) == (400, code)
        assert not CarImage.objects.exists()

    def test_decompression_bomb_refused_before_decoding(self, settings):
        from django_car_listing import errors
        from django_car_listing.services.images import validate_image

        settings.CAR_LISTING_IMAGE_MAX_DIMENSION = 100_000
        settings.CAR_LISTING_IMAGE_MAX_PIXELS = 10**12
        # A tiny PNG that claims 30000x30000 pixels (Pillow's own bomb guard must trip).
        bomb = _claiming_png(30000, 30000)
        with pytest.raises(errors.ImageTooLarge):
            validate_image(bomb)


def test_openapi_schema_generates():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    assert "/api/cars/{id}/buy/" in paths and "/api/cars/" in paths
