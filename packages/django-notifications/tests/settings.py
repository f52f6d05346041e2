"""The package alone on plain PostgreSQL (no django-tenants), from the kernel's test settings factory."""
from pathlib import Path

from forecourt_core.testing import package_test_settings, run_suffix

base = package_test_settings("django_notifications", apps=["django_notifications", "channels"], redis_db=2)
base["TEMPLATES"][0]["DIRS"] = [Path(__file__).resolve().parent / "templates"]
globals().update(base)
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [base["REDIS_URL"]], "prefix": f"notifications-tests-{run_suffix()}".rstrip("-")},
    }
}
DEFAULT_FROM_EMAIL = "forecourt@example.com"
CELERY_TASK_DEFAULT_QUEUE = "notifications-tests"
# E-mails and pushes are delivered by the event relay: each commit sends it a task (the worker tests).
FORECOURT_EVENTS_KICK = True
