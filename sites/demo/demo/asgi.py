"""ASGI entry point: HTTP through Django (django-tenants routes by host), websockets through Channels."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings.dev")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from demo.realtime.ws import websocket_stack  # noqa: E402
from demo.realtime.ws_routes import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {"http": django_asgi_app, "websocket": websocket_stack(URLRouter(websocket_urlpatterns))}
)
