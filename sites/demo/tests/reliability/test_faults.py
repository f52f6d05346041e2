"""Faults with real processes: Redis dies during a burst of purchases, a Celery worker is SIGKILLed
mid-task, PostgreSQL drops the connection mid-request.

Each test runs uvicorn and Celery workers as subprocesses on the test database, with a Redis server
of its own (faultkit.py), and drives them over HTTP like a client would.
"""
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, transaction
from rest_framework_simplejwt.tokens import AccessToken

from django_car_listing.validators import vin_check_digit

from .faultkit import free_port, site_stack, wait_for

OLD_SUBJECT = "Your car has been purchased"  # car-listing's own seller e-mail, which no longer exists
FUNDS = Decimal("50000.00")


def make_vin(n: int) -> str:
    body = f"1FCRT{n:03d}0AB{n:06d}"[:17]
    return body[:8] + vin_check_digit(body) + body[9:]


def make_people_and_cars(count: int, *, prefix: str):
    """``count`` private sellers with one verified car on sale each; returns (cars, sellers)."""
    from django.contrib.auth import get_user_model

    from django_car_listing import services as cars

    User = get_user_model()
    admin = User.objects.create_user(f"{prefix}-admin", "", "a-Strong-passw0rd", is_staff=True)
    sellers, listed = [], []
    for n in range(count):
        name = f"{prefix}-seller{n}"
        seller = User.objects.create_user(name, f"{name}@example.test", "a-Strong-passw0rd")
        car = cars.car_create(actor=seller, store_key="", make="Saab", model=f"9-{n}", year=2008,
                              price=Decimal("1000.00") + n, vin=make_vin(n))
        cars.car_verify(actor=admin, store_key="", car_id=car.pk)
        cars.car_put_on_sale(actor=seller, store_key="", car_id=car.pk)
        sellers.append(seller)
        listed.append(car)
    return listed, sellers


def make_buyer(name: str, funds: Decimal = FUNDS):
    from django.contrib.auth import get_user_model

    from django_wallet import services as wallet

    buyer = get_user_model().objects.create_user(name, f"{name}@example.test", "a-Strong-passw0rd")
    if funds:
        wallet.deposit(account=wallet.account_for(buyer), amount=funds)
    return buyer


def sold_subject(car) -> str:
    return f"Your {car.year} {car.make} {car.model} has been sold"  # the seller's notification e-mail


def bought_subject(car) -> str:
    return f"Your purchase: the {car.year} {car.make} {car.model}"  # the buyer's confirmation


def purchase_events(car):
    from forecourt_core.events.models import Event

    return Event.objects.filter(kind="car_listing.car_purchased", data__car_id=car.pk, data__store_key="")


def token(user) -> str:
    return str(AccessToken.for_user(user))  # no database or Redis needed to sign it


def balance(user) -> Decimal:
    from django_wallet import selectors, services

    return selectors.balance(services.account_for(user))


def assert_ledger_clean():
    from django_wallet.verification import verify_ledger

    report = verify_ledger()
    assert report.ok, report.as_dict()


def assert_error_shape(status: int, body) -> None:
    assert isinstance(body, dict) and isinstance(body.get("code"), str) and body.get("message"), (status, body)


# --- Redis stopped during a burst of purchases ---------------------------------------------------------------

def _burst_people():
    """14 sellers with a car each; a buyer per car, two rivals for cars 0 and 1, and a buyer who cannot pay
    for car 13. Returns (cars, sellers, payers, poor, jobs), a job being (buyer, car)."""
    cars, sellers = make_people_and_cars(14, prefix="burst")
    buyers = [make_buyer(f"burst-buyer{n}") for n in range(14)]
    rivals = [make_buyer(f"burst-rival{n}") for n in range(2)]  # cars 0 and 1 are contested
    poor = make_buyer("burst-poor", funds=Decimal(0))  # car 13 goes to a buyer who cannot pay
    jobs = [(buyers[n], cars[n]) for n in range(13)] + [(rivals[0], cars[0]), (rivals[1], cars[1]), (poor, cars[13])]
    return cars, sellers, [*buyers, *rivals, poor], poor, jobs


def _buy_while_redis_dies(stack, jobs) -> tuple[list[int], list[tuple]]:
    """Send every purchase, 4 at a time; Redis is stopped once 3 have answered. Returns the statuses and
    (buyer, car, status, body) per purchase."""
    done, lock, redis_killed = [], threading.Lock(), threading.Event()

    def buy(job):
        buyer, car = job
        status, body = stack.request("POST", f"/api/cars/{car.pk}/buy/?store=", token=token(buyer), timeout=30)
        with lock:
            done.append((buyer, car, status, body))
            if len(done) == 3:  # the rest of the burst, some already in flight, meets a dead Redis
                stack.redis.stop()
                redis_killed.set()
        return status

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(buy, jobs))
    assert redis_killed.is_set()
    return statuses, done


def _assert_committed_or_cleanly_refused(statuses, done, cars) -> dict:
    """Never a 500; every payable purchase committed, the rest refused in the error shape. Returns {car id: buyer}."""
    assert 500 not in statuses, [(s, b) for *_, s, b in done if s >= 500]
    won = {car.pk: buyer for buyer, car, status, body in done if status == 201}
    for *_, status, body in done:
        if status != 201:
            assert status in {409, 503}, (status, body)
            assert_error_shape(status, body)
    assert set(won) == {car.pk for car in cars[:13]}  # with the database up, every payable purchase commits
    assert [b["code"] for bu, c, s, b in done if c.pk == cars[13].pk] == ["insufficient_funds"]
    assert sorted(b["code"] for bu, c, s, b in done if s == 409 and c.pk in {cars[0].pk, cars[1].pk}) == \
        ["car_not_available", "car_not_available"]
    return won


def _assert_no_half_state(cars, sellers, payers, poor, won) -> None:
    """Each car, its ownership record, its purchase notice and every balance agree with who won it."""
    from django_car_listing.models import OwnershipRecord

    for car, seller in zip(cars, sellers, strict=True):
        car.refresh_from_db()
        sold = car.pk in won
        assert car.is_sold is sold and car.is_for_sale is not sold
        assert car.owner_id == (won[car.pk].pk if sold else seller.pk)
        assert OwnershipRecord.objects.filter(from_car_id=car.pk, from_store_key="").count() == int(sold)
        assert purchase_events(car).count() == int(sold)  # recorded with the purchase, or not at all
        assert balance(seller) == (car.price if sold else 0)
    for buyer in payers:
        bought = [c for c in cars if won.get(c.pk) == buyer]
        start = FUNDS if buyer != poor else Decimal(0)
        assert balance(buyer) == start - sum((c.price for c in bought), Decimal(0))
    assert_ledger_clean()


def _assert_redis_endpoints_during_the_outage(stack, poor) -> None:
    """An endpoint that needs Redis itself (the sign-in throttle) says so: 503, not 500. A cached read (the
    trading stock list) is built from the database instead: the cache is never a dependency."""
    status, answer = stack.request("POST", "/api/auth/token/", body={"username": "burst-poor", "password": "x"})
    assert status == 503 and answer["code"] == "service_unavailable", (status, answer)
    status, answer = stack.request("GET", "/api/trading/stocks/", token=token(poor))
    assert status == 200 and "results" in answer, (status, answer)


def _expected_purchase_mails(cars, sellers, won) -> dict:
    """Each sale: the seller's notification e-mail and the buyer's confirmation, once each."""
    expected = {}
    for car, seller in zip(cars, sellers, strict=True):
        if car.pk in won:
            expected[(seller.email, sold_subject(car))] = 1
            expected[(won[car.pk].email, bought_subject(car))] = 1
    return expected


def _assert_every_purchase_announced_once(stack, cars, sellers, won) -> None:
    from django_car_listing.models import Car
    from django_notifications.models import Notification
    from forecourt_core.events.models import Event

    sold_sellers = [s for c, s in zip(cars, sellers, strict=True) if c.pk in won]
    expected = _expected_purchase_mails(cars, sellers, won)
    purchase_kinds = ["car_purchased", "car_purchase_confirmed"]
    deliveries = Event.objects.filter(kind__in=["notifications.email_due", "notifications.push_due"],
                                      data__kind__in=purchase_kinds)

    def all_delivered():
        mails = stack.mails()
        return all(mails[key] >= 1 for key in expected) and not deliveries.exclude(
            status=Event.Status.DELIVERED).exists()

    wait_for(all_delivered, timeout=120, what="every committed purchase's e-mails after Redis returned")
    assert not Event.objects.filter(kind="car_listing.car_purchased").exclude(status=Event.Status.DELIVERED).exists()
    threading.Event().wait(8)  # eight more relay rounds: a second copy would show now
    mails = stack.mails()
    assert {key: mails[key] for key in expected} == expected
    unsold_sellers = [s.email for c, s in zip(cars, sellers, strict=True) if c.pk not in won]
    assert not [key for key in mails if key[0] in unsold_sellers and ("purchased" in key[1] or "sold" in key[1])]
    assert not [key for key in mails if key[1] == OLD_SUBJECT]  # one e-mail per sale, not two
    assert Notification.objects.filter(kind="car_purchased").count() == len(sold_sellers)
    assert Notification.objects.filter(kind="car_purchase_confirmed").count() == len(sold_sellers)
    for seller in sold_sellers:
        assert Notification.objects.filter(kind="car_purchased", recipient=seller).count() == 1
    pushes = deliveries.filter(kind="notifications.push_due", data__kind="car_purchased")
    assert pushes.count() == len(sold_sellers)
    assert set(pushes.values_list("status", flat=True)) == {Event.Status.DELIVERED}
    assert Car.objects.filter(pk__in=won, is_sold=True).count() == len(won)


def test_redis_dies_during_a_purchase_burst_and_every_committed_purchase_is_announced_once(committed_db, tmp_path,
                                                                                          django_db_blocker):
    from forecourt_core.events.models import Event

    cars, sellers, payers, poor, jobs = _burst_people()
    with site_stack(tmp_path, django_db_blocker) as stack:
        stack.start_server()
        stack.start_worker("w1", beat=True)
        statuses, done = _buy_while_redis_dies(stack, jobs)
        won = _assert_committed_or_cleanly_refused(statuses, done, cars)
        _assert_no_half_state(cars, sellers, payers, poor, won)
        _assert_redis_endpoints_during_the_outage(stack, poor)

        # The outage really met committed purchases: their events wait in the outbox, not in a broker.
        assert Event.objects.filter(kind="car_listing.car_purchased", status=Event.Status.PENDING).exists()

        # Redis comes back empty (nothing persisted): the relays deliver everything, once. Beat keeps its
        # schedule in Redis and exits when Redis is gone; compose restarts it (restart: unless-stopped),
        # here the test does.
        stack.redis.start()
        stack.start_beat("after-outage")
        _assert_every_purchase_announced_once(stack, cars, sellers, won)


# --- a process killed between its commit and the relay ---------------------------------------------------------

def test_a_process_killed_between_the_commit_and_the_relay_loses_and_doubles_nothing(committed_db, tmp_path,
                                                                                    django_db_blocker):
    """The buying process commits and is SIGKILLed before any on-commit work (the relay's kick) runs;
    a worker started afterwards delivers the purchase's notifications and e-mails, each once."""
    from django_car_listing.models import Car
    from django_notifications.models import Notification
    from forecourt_core.events.models import Event

    (car,), (seller,) = make_people_and_cars(1, prefix="crash")
    buyer = make_buyer("crash-buyer")
    marker = tmp_path / "committed"
    with site_stack(tmp_path, django_db_blocker) as stack:
        buying = stack.start_script("tests.reliability.commit_then_die", str(buyer.pk), str(car.pk), str(marker))
        wait_for(marker.exists, timeout=120, what="the buying process to commit")
        stack.kill(buying)

        car.refresh_from_db()
        assert car.is_sold and car.owner_id == buyer.pk and balance(seller) == car.price  # the purchase committed
        (event,) = purchase_events(car)
        assert event.status == Event.Status.PENDING and event.attempts == 0  # and nothing acted on it
        assert not Notification.objects.filter(kind__in=["car_purchased", "car_purchase_confirmed"]).exists()
        assert not stack.mail_files()

        stack.start_worker("w1", beat=True)
        wanted = [(seller.email, sold_subject(car)), (buyer.email, bought_subject(car))]
        wait_for(lambda: all(stack.mails()[key] for key in wanted), timeout=120,
                 what="the purchase's e-mails from the relay")
        threading.Event().wait(5)  # five more relay rounds: a second copy would show up now
        mails = stack.mails()
        assert [mails[key] for key in wanted] == [1, 1]
        assert mails[(seller.email, OLD_SUBJECT)] == 0
        assert Notification.objects.filter(kind="car_purchased", recipient=seller).count() == 1
        assert Notification.objects.filter(kind="car_purchase_confirmed", recipient=buyer).count() == 1
        event.refresh_from_db()
        assert (event.status, event.attempts) == (Event.Status.DELIVERED, 1)
        assert Car.objects.filter(pk=car.pk, is_sold=True).count() == 1


def test_a_seller_gets_exactly_one_purchased_email_per_sale(committed_db, tmp_path, django_db_blocker):
    """Counted as files in the mail folder after a real worker ran: one per sale for the seller, and
    the buyer's confirmation; nothing else about the sales."""
    cars, seller = _one_seller_three_cars()
    buyers = [make_buyer(f"count-buyer{n}") for n in range(len(cars))]
    with site_stack(tmp_path, django_db_blocker) as stack:
        stack.start_server()
        stack.start_worker("w1", beat=True)
        for buyer, car in zip(buyers, cars, strict=True):
            status, body = stack.request("POST", f"/api/cars/{car.pk}/buy/?store=", token=token(buyer))
            assert status == 201, body
        wanted = {(seller.email, sold_subject(car)) for car in cars}
        wanted |= {(buyer.email, bought_subject(car)) for buyer, car in zip(buyers, cars, strict=True)}
        wait_for(lambda: wanted <= set(stack.mail_files()), timeout=120, what="every sale's e-mails")
        threading.Event().wait(5)  # more relay rounds: a second copy would show up now
        files = stack.mail_files()
        seller_purchased = [subject for to, subject in files if to == seller.email
                            and ("has been sold" in subject or "purchased" in subject.lower())]
        assert sorted(seller_purchased) == sorted(sold_subject(car) for car in cars)  # one file per sale
        about_sales = [f for f in files if "has been sold" in f[1] or "purchase" in f[1].lower()]
        assert sorted(about_sales) == sorted(wanted)


def _one_seller_three_cars():
    """One private seller with three verified cars on sale."""
    from django.contrib.auth import get_user_model

    from django_car_listing import services as cars

    User = get_user_model()
    admin = User.objects.create_user("count-admin", "", "a-Strong-passw0rd", is_staff=True)
    seller = User.objects.create_user("count-seller", "count-seller@example.test", "a-Strong-passw0rd")
    listed = []
    for n in range(3):
        car = cars.car_create(actor=seller, store_key="", make="Volvo", model=f"24{n}", year=1990 + n,
                              price=Decimal("2000.00") + n, vin=make_vin(100 + n))
        cars.car_verify(actor=admin, store_key="", car_id=car.pk)
        cars.car_put_on_sale(actor=seller, store_key="", car_id=car.pk)
        listed.append(car)
    return listed, seller


# --- a Celery worker killed mid-task --------------------------------------------------------------------------

RELAY = "forecourt_events.relay"


def _buy_with_no_worker_running(stack, prefix: str):
    (car,), (seller,) = make_people_and_cars(1, prefix=prefix)
    buyer = make_buyer(f"{prefix}-buyer")
    status, body = stack.request("POST", f"/api/cars/{car.pk}/buy/?store=", token=token(buyer))
    assert status == 201, body
    return car, seller


def _runs_of(stack, task_name: str) -> list[tuple[str, str, str]]:
    return [(worker, event, task_id) for worker, event, name, task_id in stack.task_events() if name == task_name]


def test_worker_killed_while_the_relay_waits_redelivers_it_and_the_mail_goes_once(committed_db, tmp_path,
                                                                                 django_db_blocker):
    from django_notifications.models import Notification
    from forecourt_core.events.models import Event

    with site_stack(tmp_path, django_db_blocker) as stack:
        stack.start_server()
        car, seller = _buy_with_no_worker_running(stack, "kill1")
        (event,) = purchase_events(car)
        with transaction.atomic():
            # An uncommitted row with the key of the seller's notification for this event: the relay's
            # handler blocks inserting that notification (unique key), mid-task, until this rolls back.
            Notification.objects.create(recipient=seller, kind="car_purchased", title="held", source_event=event.id)
            first = stack.start_worker("first", FAULTS_VISIBILITY_TIMEOUT="3")
            wait_for(lambda: [r for r in _runs_of(stack, RELAY) if r[:2] == ("first", "start")], timeout=60,
                     what="the first worker to start the relay task")
            wait_for(lambda: _waiting_on_a_lock(), timeout=30, what="the handler to wait on the held notification")
            stack.kill(first)
            transaction.set_rollback(True)
        assert stack.mails()[(seller.email, sold_subject(car))] == 0
        event.refresh_from_db()
        assert event.status == Event.Status.CLAIMED  # claimed by the dead worker, its handlers rolled back
        assert not Notification.objects.filter(recipient=seller, kind="car_purchased").exists()

        stack.start_worker("second", FAULTS_VISIBILITY_TIMEOUT="3")
        wait_for(lambda: stack.mails()[(seller.email, sold_subject(car))], timeout=90,
                 what="the redelivered relay's e-mail")
        runs = _runs_of(stack, RELAY)
        # The relay tasks the first worker was killed in: the one blocked on the held notification, and any
        # other run it had just started (a kicked or periodic run is not tied to one commit's events).
        killed = ({tid for w, e, tid in runs if (w, e) == ("first", "start")}
                  - {tid for w, e, tid in runs if (w, e) == ("first", "end")})
        assert killed
        # Each the same message, redelivered: the dead worker's claim was taken over.
        wait_for(lambda: killed <= {tid for w, e, tid in _runs_of(stack, RELAY) if (w, e) == ("second", "end")},
                 timeout=30, what="the second worker to finish every relay task the first was killed in")
        threading.Event().wait(5)
        assert stack.mails()[(seller.email, sold_subject(car))] == 1
        assert Notification.objects.filter(recipient=seller, kind="car_purchased").count() == 1
        event.refresh_from_db()
        assert (event.status, event.attempts) == (Event.Status.DELIVERED, 2)


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # a transaction sees a frozen snapshot otherwise
        # Blocked by this test's transaction.
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                       " AND pg_backend_pid() = ANY(pg_blocking_pids(pid))")
        return cursor.fetchone()[0] > 0


def test_worker_killed_after_the_relay_committed_before_the_ack_redelivers_without_a_second_mail(
        committed_db, tmp_path, django_db_blocker):
    from django_notifications.models import Notification
    from forecourt_core.events.models import Event

    with site_stack(tmp_path, django_db_blocker) as stack:
        stack.start_server()
        first = stack.start_worker("first", FAULTS_VISIBILITY_TIMEOUT="3", FAULTS_STALL_AFTER=RELAY)
        car, seller = _buy_with_no_worker_running(stack, "kill2")
        # The purchase's event is delivered and committed; the worker's thread now stalls before acking
        # that relay message. Its other thread relays the e-mail events the handlers recorded, and stalls
        # in turn after sending them.
        wait_for(lambda: [r for r in _runs_of(stack, RELAY) if r[:2] == ("first", "stalled")], timeout=60,
                 what="the first worker to finish the relay task and stall before its ack")
        wait_for(lambda: stack.mails()[(seller.email, sold_subject(car))], timeout=60, what="the seller's e-mail")
        stack.kill(first)

        stack.start_worker("second", FAULTS_VISIBILITY_TIMEOUT="3")
        stalled = {tid for w, e, tid in _runs_of(stack, RELAY) if w == "first" and e == "stalled"}
        wait_for(lambda: stalled <= {tid for w, e, tid in _runs_of(stack, RELAY) if (w, e) == ("second", "end")},
                 timeout=90, what="every unacked relay message to be redelivered to the second worker")
        threading.Event().wait(2)
        assert stack.mails()[(seller.email, sold_subject(car))] == 1
        assert Notification.objects.filter(recipient=seller, kind="car_purchased").count() == 1
        (event,) = purchase_events(car)
        assert (event.status, event.attempts) == (Event.Status.DELIVERED, 1)


# --- PostgreSQL connection dropped mid-request ----------------------------------------------------------------

def _server_backends(state: str | None = None) -> list[int]:
    sql = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    params = []
    if state:
        sql += " AND state = %s"
        params.append(state)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _terminate(pids: list[int]) -> None:
    with connection.cursor() as cursor:
        for pid in pids:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_database_connection_dropped_mid_request_is_a_clean_503_and_the_next_request_succeeds(
        committed_db, tmp_path, django_db_blocker):
    from django_car_listing.models import OwnershipRecord
    from django_wallet import services as wallet
    from django_wallet.models import Account

    (car,), (seller,) = make_people_and_cars(1, prefix="db")
    buyer = make_buyer("db-buyer")
    with site_stack(tmp_path, django_db_blocker) as stack:
        stack.start_server()
        answer = {}
        with transaction.atomic():
            # Hold the buyer's wallet row: the purchase locks the car, then waits here, mid-transaction.
            Account.objects.select_for_update().get(pk=wallet.account_for(buyer).pk)
            request = threading.Thread(target=lambda: answer.update(
                result=stack.request("POST", f"/api/cars/{car.pk}/buy/?store=", token=token(buyer))))
            request.start()

            def waiting() -> list[int]:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_stat_clear_snapshot()")  # a transaction sees a frozen snapshot
                    cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                                   " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
                    return [row[0] for row in cursor.fetchall()]

            _terminate(wait_for(waiting, timeout=30, what="the purchase to wait on the wallet row"))
            request.join(timeout=60)
        status, body = answer["result"]
        assert status == 503 and body["code"] == "service_unavailable" and body["message"], (status, body)
        car.refresh_from_db()
        assert car.is_for_sale and not car.is_sold and car.owner_id == seller.pk  # rolled back whole
        assert not OwnershipRecord.objects.filter(from_car_id=car.pk).exists()
        assert balance(buyer) == FUNDS and balance(seller) == 0

        status, body = stack.request("POST", f"/api/cars/{car.pk}/buy/?store=", token=token(buyer))
        assert status == 201, body
        assert balance(buyer) == FUNDS - car.price and balance(seller) == car.price
        assert_ledger_clean()


def test_persistent_connection_dropped_between_requests_is_replaced_before_use(committed_db, tmp_path,
                                                                              django_db_blocker):
    buyer = make_buyer("idle-buyer")
    with site_stack(tmp_path, django_db_blocker) as stack:
        stack.start_server(FAULTS_CONN_MAX_AGE="60")
        assert stack.request("GET", "/api/auth/me/", token=token(buyer))[0] == 200
        idle = wait_for(lambda: _server_backends("idle"), timeout=10, what="the server's idle connection")
        _terminate(idle)
        wait_for(lambda: not set(idle) & set(_server_backends()), timeout=10, what="the backend to exit")
        # CONN_HEALTH_CHECKS: the dead connection is noticed and replaced before the request uses it.
        status, body = stack.request("GET", "/api/auth/me/", token=token(buyer))
        assert status == 200 and body["username"] == "idle-buyer", (status, body)


@pytest.mark.parametrize("path", ["/api/auth/me/", "/"])
def test_database_down_before_the_view_is_a_503_not_a_500(committed_db, tmp_path, django_db_blocker, path):
    """The tenant lookup runs before any view: a failure there also answers 503 (handler500)."""
    with site_stack(tmp_path, django_db_blocker) as stack:
        stack.start_server(DATABASE_URL=_unreachable_database())
        status, body = stack.request("GET", path)
        assert status == 503, (status, body)
        if path.startswith("/api/"):
            assert body["code"] == "service_unavailable" and body["message"]
        else:
            assert "unavailable" in body


@pytest.fixture
def role_refused_new_connections(committed_db, django_db_blocker):
    """A database URL whose role PostgreSQL refuses at connect ("too many connections"): its limit is 0."""
    from tests.browser.conftest import _database_url

    role = f"fc_refused_{connection.settings_dict['NAME'][-40:]}".replace("-", "_")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP ROLE IF EXISTS "{role}"')
        cursor.execute(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 0')
    user = connection.settings_dict["USER"]
    yield _database_url().replace(f"//{user}", f"//{role}", 1)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.mark.parametrize("path", ["/api/wallet/charge-sales/", "/api/cars/", "/"])
def test_postgres_refusing_new_connections_is_a_503_also_with_debug_on(role_refused_new_connections, tmp_path,
                                                                        django_db_blocker, path):
    """PostgreSQL answers the connect with a FATAL (as "sorry, too many clients already"): API and pages give
    the documented 503, not a 500 and not Django's debug page, with DEBUG on as the demo runs."""
    with site_stack(tmp_path, django_db_blocker) as stack:
        stack.start_server(DATABASE_URL=role_refused_new_connections, FAULTS_DEBUG="1")
        status, body = stack.request("GET", path)
        assert status == 503, (status, str(body)[:300])
        if path.startswith("/api/"):
            assert body["code"] == "service_unavailable" and body["message"], body
        else:
            assert "unavailable" in body and "Traceback" not in body


def _unreachable_database() -> str:
    return f"postgres://postgres@127.0.0.1:{free_port()}/nowhere"
