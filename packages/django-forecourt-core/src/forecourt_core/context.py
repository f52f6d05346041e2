"""Context that travels with a unit of work: the id of the request that started it.

The site sets ``request_id`` from the X-Request-ID header for each request and carries it into the
Celery tasks it sends; ``forecourt_core.events`` stores it on every event, so a notification or a
booking can be traced back to the request that caused it.
"""
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("forecourt_request_id", default="")
