"""In-app inbox, e-mail through Celery with an outbox, and real-time push over Django Channels."""

__version__ = "0.1.0"
