"""Websocket routes; the site wraps them in its auth (and tenant) middleware."""
from django.urls import path

from .consumers import NotificationConsumer

websocket_urlpatterns = [path("ws/notifications/", NotificationConsumer.as_asgi(), name="notifications-ws")]
