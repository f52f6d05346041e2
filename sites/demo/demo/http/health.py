"""/healthz: the state of PostgreSQL, Redis and the Celery workers."""
import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse

from demo.celery import app


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except DatabaseError as exc:
        return f"error: {exc.__class__.__name__}"


def _redis() -> str:
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping()
        return "ok"
    except redis.RedisError as exc:
        return f"error: {exc.__class__.__name__}"


def _celery() -> str:
    try:
        replies = app.control.ping(timeout=1.0)
    except Exception as exc:  # noqa: BLE001 - any broker failure means "unknown", never a 500
        return f"error: {exc.__class__.__name__}"
    return f"ok ({len(replies)} workers)" if replies else "no workers"


def healthz(request):
    checks = {"database": _database(), "redis": _redis(), "celery": _celery()}
    healthy = checks["database"] == "ok" and checks["redis"] == "ok"
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": checks}, status=200 if healthy else 503)
