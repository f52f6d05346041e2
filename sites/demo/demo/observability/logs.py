"""JSON log lines that tie together: each carries the request id, the dealership schema and the user id.

The request id comes from the X-Request-ID header (or is made up) in the middleware, lives in
``forecourt_core.context.request_id`` for the request, travels in every Celery task's headers
(tasks.py) and is restored in the worker, so a purchase's HTTP line, its events and the e-mail task's
lines share one id.
"""
from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from django.utils.functional import SimpleLazyObject, empty

from forecourt_core import context

# The request being answered in this context, for the user id (read only once authentication ran).
current_request: ContextVar = ContextVar("forecourt_current_request", default=None)
# A caller's id is kept only when it is a short token of safe characters: it ends up in every log line.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_from(header: str | None) -> str:
    return header if header and VALID_REQUEST_ID.match(header) else uuid.uuid4().hex


def _user_id(request) -> int | str | None:
    user = request.__dict__.get("user")  # DRF's authentication sets the real user here
    if isinstance(user, SimpleLazyObject):
        user = None if user._wrapped is empty else user._wrapped
    user = user or request.__dict__.get("_cached_user")  # what Django's session auth resolved
    return user.pk if user is not None and getattr(user, "is_authenticated", False) else None


class ContextFilter(logging.Filter):
    """Adds request_id, schema and user_id to every record (empty outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from django.db import connection

        record.request_id = getattr(record, "request_id", None) or context.request_id.get()
        record.schema = getattr(connection, "schema_name", "") or ""
        request = current_request.get()
        record.user_id = _user_id(request) if request is not None else None
        return True
