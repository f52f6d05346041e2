"""Site tests: real PostgreSQL and Redis, their own database and Redis db number."""
import os
import re

from .base import *  # noqa: F403
from .base import BASE_DIR, CACHES, CHANNEL_LAYERS, DATABASES, REDIS_URL

SECRET_KEY = "tests-only-" + "x" * 50
DEBUG = False
ALLOWED_HOSTS = ["*"]
# FORECOURT_TEST_SUFFIX gives a concurrent run (another checkout, a tox env) its own test database, as in the packages.
_SUFFIX = re.sub(r"\W", "_", os.environ.get("FORECOURT_TEST_SUFFIX", "")).lower()
DATABASES["default"]["TEST"] = {
    "NAME": os.environ.get("SITE_TEST_DB", "test_forecourt_site" + (f"_{_SUFFIX}" if _SUFFIX else ""))
}
DATABASES["default"]["CONN_MAX_AGE"] = 0
# In-process tests hold one connection per thread; servers the tests start (uvicorn, workers) pool theirs.
DATABASES["default"]["OPTIONS"].pop("pool", None)
REDIS_URL = re.sub(r"/\d*$", "/" + os.environ.get("SITE_TEST_REDIS_DB", "9"), REDIS_URL)
for alias in CACHES.values():
    alias["LOCATION"] = REDIS_URL
CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [REDIS_URL]
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_REDBEAT_REDIS_URL = REDIS_URL
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(BASE_DIR / "var" / "test-mail")
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "1000/min"}}  # noqa: F405
TRADING_ALLOW_SELF_FUNDING = True
SIGN_IN_ACCOUNT_FAILURES = 100  # tests sign in wrongly on purpose; test_security.py sets its own
