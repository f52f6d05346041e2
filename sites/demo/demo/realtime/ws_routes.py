"""Websocket routes of the site."""
websocket_urlpatterns: list = []
try:  # django-notifications provides the inbox socket
    from django_notifications.routing import websocket_urlpatterns as _notification_routes

    websocket_urlpatterns += _notification_routes
except ImportError:  # pragma: no cover - only while the package has no routing module yet
    pass
