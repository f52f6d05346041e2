"""Websocket tests with channels' communicator on the real channels-redis layer."""
import pytest
from asgiref.sync import async_to_sync
from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from django_notifications import services
from django_notifications.consumers import NotificationConsumer
from django_notifications.routing import websocket_urlpatterns
from tests import hooks
from tests.conftest import deliveries, relay, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
PATH = "/ws/notifications/"


class Sockets:
    """The communicators of one scenario, each disconnected at its end (a consumer left running keeps a
    receive waiting on the channel layer)."""

    def __init__(self):
        self.opened = []

    def new(self, app=None, *, headers=(), **scope):
        comm = WebsocketCommunicator(app or NotificationConsumer.as_asgi(), PATH, headers=list(headers))
        comm.scope.update(scope)
        self.opened.append(comm)
        return comm

    async def connect(self, user, **scope):
        comm = self.new(user=user, **scope)
        connected, _ = await comm.connect()
        assert connected
        return comm

    async def close_all(self):
        for comm in self.opened:
            if not comm.future.done():
                await comm.disconnect()


def run(scenario):
    """Run ``scenario(sockets)`` on a new event loop; every socket it opened is disconnected, failed or not."""

    async def main():
        sockets = Sockets()
        try:
            await scenario(sockets)
        finally:
            await sockets.close_all()

    async_to_sync(main)()


@pytest.fixture
def push_only(settings):
    settings.NOTIFICATIONS_DEFAULT_CHANNELS = {"*": ["inbox", "push"]}
    settings.FORECOURT_EVENTS_KICK = False  # pushes delivered by the test itself


def _deliver_pushes():
    """Play the relay for the push events (the real-worker path is tested below)."""
    relay()


def test_connect_sends_unread_count_then_pushes(make_user, push_only):
    user = make_user()
    services.notify(recipient=user, kind="k", title="old")
    _deliver_pushes()  # before anyone listens

    async def scenario(sockets):
        comm = await sockets.connect(user)
        assert await comm.receive_json_from(timeout=5) == {"type": "unread_count", "count": 1}
        await database_sync_to_async(services.notify)(recipient=user, kind="car.purchased", title="Sold",
                                                      link="/cars/7/", data={"car": 7})
        await database_sync_to_async(_deliver_pushes)()
        push = await comm.receive_json_from(timeout=5)
        assert push["type"] == "notification"
        assert {k: push["notification"][k] for k in ("kind", "title", "link", "data", "read_at")} == {
            "kind": "car.purchased", "title": "Sold", "link": "/cars/7/", "data": {"car": 7}, "read_at": None}
        assert await comm.receive_json_from(timeout=5) == {"type": "unread_count", "count": 2}
        await comm.disconnect()

    run(scenario)


def test_mark_all_read_updates_the_badge(make_user, push_only):
    user = make_user()
    services.notify(recipient=user, kind="k", title="old")
    _deliver_pushes()  # before anyone listens

    async def scenario(sockets):
        comm = await sockets.connect(user)
        assert await comm.receive_json_from(timeout=5) == {"type": "unread_count", "count": 1}
        await database_sync_to_async(services.mark_all_read)(user=user)
        assert await comm.receive_json_from(timeout=5) == {"type": "unread_count", "count": 0}
        await comm.disconnect()

    run(scenario)


def test_anonymous_socket_refused_with_4401():
    async def scenario(sockets):
        comm = sockets.new(user=AnonymousUser())
        await comm.connect()
        assert await comm.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}

    run(scenario)


def test_session_cookie_auth_through_routing(make_user):
    user = make_user()
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    app = AuthMiddlewareStack(URLRouter(websocket_urlpatterns))

    async def scenario(sockets):
        comm = sockets.new(app, headers=[(b"cookie", cookie)])
        assert (await comm.connect())[0]
        assert await comm.receive_json_from(timeout=5) == {"type": "unread_count", "count": 0}
        await comm.disconnect()
        anon = sockets.new(app)
        await anon.connect()
        assert (await anon.receive_output(timeout=5))["code"] == 4401

    run(scenario)


def test_user_never_receives_another_users_push(make_user, push_only):
    alice, bob = make_user(), make_user()

    async def scenario(sockets):
        a, b = await sockets.connect(alice), await sockets.connect(bob)
        assert (await a.receive_json_from(timeout=5))["count"] == 0
        assert (await b.receive_json_from(timeout=5))["count"] == 0
        await database_sync_to_async(services.notify)(recipient=bob, kind="k", title="for bob")
        await database_sync_to_async(_deliver_pushes)()
        assert (await b.receive_json_from(timeout=5))["notification"]["title"] == "for bob"
        assert (await b.receive_json_from(timeout=5)) == {"type": "unread_count", "count": 1}
        assert await a.receive_nothing(timeout=0.5)
        await a.send_to(text_data="not json")  # ignored, the socket stays usable
        assert await a.receive_nothing(timeout=0.1)
        await a.disconnect()
        await b.disconnect()

    run(scenario)


def test_group_prefix_hook_separates_tenants(make_user, push_only, settings, monkeypatch):
    """The site prefixes groups per schema: the same user on another tenant's socket gets nothing. The
    push's group is chosen when the notification is written, in that context (here dealer_a)."""
    settings.NOTIFICATIONS_GROUP_PREFIX = "tests.hooks.group_prefix"
    user = make_user()

    async def scenario(sockets):
        on_a = sockets.new(user=user, schema="dealer_a")
        on_b = sockets.new(user=user, schema="dealer_b")
        for comm in (on_a, on_b):
            assert (await comm.connect())[0]
            await comm.receive_json_from(timeout=5)
        monkeypatch.setitem(hooks.current, "schema", "dealer_a")
        await database_sync_to_async(services.notify)(recipient=user, kind="k", title="in A")
        monkeypatch.setitem(hooks.current, "schema", "public")  # delivery happens elsewhere: the row says where
        await database_sync_to_async(_deliver_pushes)()
        assert (await on_a.receive_json_from(timeout=5))["notification"]["title"] == "in A"
        assert await on_b.receive_nothing(timeout=0.5)
        await on_a.disconnect()
        await on_b.disconnect()

    run(scenario)


def test_push_through_the_real_worker(celery_worker, make_user, settings):
    settings.NOTIFICATIONS_DEFAULT_CHANNELS = {"*": ["inbox", "push"]}
    user = make_user()

    async def scenario(sockets):
        comm = await sockets.connect(user)
        await comm.receive_json_from(timeout=5)
        note = await database_sync_to_async(services.notify)(recipient=user, kind="k", title="live")
        push = await comm.receive_json_from(timeout=20)
        assert push["notification"]["id"] == note.pk
        assert await comm.receive_json_from(timeout=5) == {"type": "unread_count", "count": 1}
        await comm.disconnect()

    run(scenario)
    # The push goes out under the event's row lock; "delivered" is committed right after it.
    wait_for(lambda: deliveries("push")[0].status == "delivered", timeout=10)
