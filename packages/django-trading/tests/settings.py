"""The package alone on plain PostgreSQL (no django-tenants), from the kernel's test settings factory."""
from forecourt_core.testing import package_test_settings, run_suffix

base = package_test_settings(
    "django_trading", apps=["django_wallet", "django_trading"], redis_db=6)
globals().update(base)
# Cache and broker share this package's Redis db; tests clear only the cache's key prefix.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": base["REDIS_URL"],
                      "KEY_PREFIX": f"trading-tests-{run_suffix()}".rstrip("-")}}
# No task routes: the event relay (which settles orders) runs on Celery's default "celery" queue, which
# the tests' worker consumes.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = False
TRADING_CACHE_ALIAS = "default"
# The event relay settles orders: each commit sends it a task.
FORECOURT_EVENTS_KICK = True
