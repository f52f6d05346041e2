"""{% notifications_bell %}: an unread badge kept live by the websocket (static/django_notifications/bell.js)."""
from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("django_notifications/bell.html", takes_context=True)
def notifications_bell(context, ws_path: str = "/ws/notifications/", inbox_url: str = ""):
    user = getattr(context.get("request"), "user", None) or context.get("user")
    authenticated = bool(user is not None and user.is_authenticated)
    return {
        "authenticated": authenticated,
        "count": selectors.unread_count(user=user) if authenticated else 0,
        "ws_path": ws_path,
        "inbox_url": inbox_url,
    }
