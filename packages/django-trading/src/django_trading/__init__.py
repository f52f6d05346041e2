"""Stock trading desk for Django: price ingest, cached reads, orders settled by Celery through django-wallet."""

__version__ = "0.1.0"
