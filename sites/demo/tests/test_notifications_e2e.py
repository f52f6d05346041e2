"""End to end in the site: A buys B's car; B's socket gets the push, B's one e-mail and A's confirmation
arrive once."""
import asyncio
import contextlib
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from celery.contrib.testing.worker import start_worker
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken

from demo.asgi import application
from demo.celery import app
from forecourt_core.testing.helpers import channel_layers_reset

VIN = "1M8GDM9AXKP042788"


@pytest.fixture
def worker(committed_db):
    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, loglevel="WARNING",
                      queues=["celery"]) as running:
        yield running


@pytest.fixture(autouse=True)
def _own_channel_layer():
    """Each test receives on channel layers of its own (see channel_layers_reset)."""
    channel_layers_reset()
    yield
    channel_layers_reset()


@contextlib.asynccontextmanager
async def _socket(path, host=b"localhost"):
    """A communicator disconnected at the end, failed or not (a consumer left running keeps a receive
    waiting on the channel layer)."""
    communicator = WebsocketCommunicator(application, path, headers=[(b"host", host)])
    try:
        yield communicator
    finally:
        if not communicator.future.done():
            await communicator.disconnect()


def _listed_car(seller, admin):
    from django_car_listing import services

    car = services.car_create(actor=seller, store_key="", make="Saab", model="9-3", year=2008,
                              price=Decimal("3500.00"), vin=VIN)
    services.car_verify(actor=admin, store_key="", car_id=car.pk)
    services.car_put_on_sale(actor=seller, store_key="", car_id=car.pk)
    return car


def _mail_for(outbox, address):
    return [f"{m.subject}\n{m.body}" for m in outbox if address in m.to]


async def _receive_kind(communicator, kind, timeout=30):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        message = await communicator.receive_json_from(timeout=max(0.1, deadline - asyncio.get_running_loop().time()))
        if message.get("type") == "notification" and message.get("notification", message).get("kind") == kind:
            return message


def test_purchase_pushes_to_the_seller_socket_and_mails_once(worker, mailoutbox):
    # pytest-django's test environment uses the locmem backend; the worker runs in this process.
    async_to_sync(_purchase_flow)(mailoutbox)


async def _purchase_flow(mailoutbox):
    from django.contrib.auth import get_user_model

    from django_car_listing.services import car_buy
    from django_wallet import services as wallet

    User = get_user_model()
    seller = await sync_to_async(User.objects.create_user)("seller-b", "seller-b@example.com", "a-Strong-passw0rd")
    buyer = await sync_to_async(User.objects.create_user)("buyer-a", "buyer-a@example.com", "a-Strong-passw0rd")
    admin = await sync_to_async(User.objects.create_user)("admin-x", "", "a-Strong-passw0rd", is_staff=True)
    await sync_to_async(wallet.deposit)(account=await sync_to_async(wallet.account_for)(buyer), amount=Decimal("5000"))
    car = await sync_to_async(_listed_car)(seller, admin)

    token = str(AccessToken.for_user(seller))
    async with _socket(f"/ws/notifications/?token={token}") as communicator:
        connected, _ = await communicator.connect(timeout=10)
        assert connected
        first = await communicator.receive_json_from(timeout=10)
        assert first["type"] == "unread_count"

        await sync_to_async(car_buy)(buyer=buyer, store_key="", car_id=car.pk)
        pushed = await _receive_kind(communicator, "car_purchased")
        assert "has been sold" in str(pushed)
        await communicator.disconnect()

    for _ in range(100):  # the relay notifies, then the notification's e-mail is delivered, by the worker
        if any("has been sold" in m for m in _mail_for(mailoutbox, "seller-b@example.com")) and \
                _mail_for(mailoutbox, "buyer-a@example.com"):
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(1)  # nothing else arrives later: once each
    seller_mail = [m for m in _mail_for(mailoutbox, "seller-b@example.com") if "has been sold" in m]
    assert len(seller_mail) == 1 and seller_mail[0].startswith("Your 2008 Saab 9-3 has been sold\n")
    assert "buyer-a" in seller_mail[0] and "3,500.00" in seller_mail[0]
    buyer_mail = _mail_for(mailoutbox, "buyer-a@example.com")
    assert len(buyer_mail) == 1 and buyer_mail[0].startswith("Your purchase: the 2008 Saab 9-3\n")


def test_anonymous_socket_is_refused(committed_db):
    async_to_sync(_anonymous)()


async def _anonymous():
    async with _socket("/ws/notifications/") as communicator:
        connected, code = await communicator.connect(timeout=10)
        if connected:  # accepted only to send the close code
            closed = await communicator.receive_output(timeout=10)
            assert closed == {"type": "websocket.close", "code": 4401}
        else:
            assert code in {4401, 403, None}


def test_unknown_host_socket_is_refused(committed_db):
    async_to_sync(_unknown_host)()


async def _unknown_host():
    async with _socket("/ws/notifications/", host=b"nowhere.localhost") as communicator:
        connected, code = await communicator.connect(timeout=10)
        assert not connected and code == 4404
