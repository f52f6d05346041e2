"""Sending a notification's e-mail and push: handlers of the kernel's event relay.

``services.notify`` records, with the notification, one event per e-mail (``notifications.email_due``)
and per push (``notifications.push_due``) carrying everything the delivery needs. The relay
(``forecourt_core.events``) runs the handler below once per event, after the commit; a handler that
raises (the mail server or the channel layer is down) leaves the event for a later attempt with
backoff, then ``failed`` (the events admin delivers it again). One side effect per event, so a retry
never repeats a delivery that already succeeded. The only window for a second e-mail is a crash between
the SMTP hand-off and the commit that marks the event delivered (SMTP cannot join the transaction);
the e-mail's Message-ID is the event's id, so a receiver can tell such a copy.
"""
from __future__ import annotations

from email.utils import parseaddr

from asgiref.sync import async_to_sync
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives

from forecourt_core.events.registry import handles

from . import conf, selectors
from .groups import user_group

EMAIL_DUE = "notifications.email_due"
PUSH_DUE = "notifications.push_due"


def channel_layer():
    from channels.layers import get_channel_layer  # channels is only needed once something is pushed

    return get_channel_layer()


@handles(EMAIL_DUE, name="notifications.send_email")
def send_email(event) -> None:
    p = event.data
    sender = conf.from_email()
    domain = parseaddr(sender or "")[1].rpartition("@")[2] or "localhost"
    message = EmailMultiAlternatives(p["subject"], p["body"], sender, [p["to"]],
                                     headers={"Message-ID": f"<{event.id}@{domain}>"})
    if p.get("html"):
        message.attach_alternative(p["html"], "text/html")
    message.send(fail_silently=False)


@handles(PUSH_DUE, name="notifications.send_push")
def send_push(event) -> None:
    layer = channel_layer()
    if layer is None:
        raise ImproperlyConfigured("notifications: push delivery needs CHANNEL_LAYERS")
    p = event.data
    uid = p["recipient_id"]
    message = {"type": "notification.push", "notification": p["notification"],
               "unread_count": selectors.unread_count(user_id=uid)}
    async_to_sync(layer.group_send)(p.get("group") or user_group(uid), message)
