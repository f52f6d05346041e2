"""Websocket consumer: the user's unread count on connect, then every push and count change."""
from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import selectors
from .groups import user_group

CLOSE_UNAUTHENTICATED = 4401


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    group_name: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept then close, so the browser sees 4401 (a pre-accept close is only an HTTP 403).
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        # The group prefix hook may read the tenant from the scope; the count needs the ORM.
        group_name, count = await self._group_and_count(user)
        self.group_name = group_name
        await self.channel_layer.group_add(group_name, self.channel_name)
        await self.accept()
        await self.send_json({"type": "unread_count", "count": count})

    @database_sync_to_async
    def _group_and_count(self, user) -> tuple[str, int]:
        return user_group(user.pk, scope=self.scope), selectors.unread_count(user_id=user.pk)

    async def disconnect(self, code) -> None:
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        # Read-only socket (marking read goes through the HTTP API); junk from the client is ignored.
        return

    async def notification_push(self, event: dict) -> None:
        await self.send_json({"type": "notification", "notification": event["notification"]})
        await self.send_json({"type": "unread_count", "count": event["unread_count"]})

    async def notification_unread_count(self, event: dict) -> None:
        await self.send_json({"type": "unread_count", "count": event["count"]})
