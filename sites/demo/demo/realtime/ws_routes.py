"""Websocket routes of the site: django-notifications' inbox socket."""
from django_notifications.routing import websocket_urlpatterns as notification_routes

websocket_urlpatterns: list = [*notification_routes]
