"""The package alone on plain PostgreSQL (no django-tenants), with a custom user model."""
import os
import re
from pathlib import Path

import dj_database_url

SECRET_KEY = "tests-only"
USE_TZ = True
DEBUG = False
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.admin",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "tests.testapp",
    "django_notifications",
]
AUTH_USER_MODEL = "testapp.User"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/forecourt"))}
DATABASES["default"]["TEST"] = {"NAME": "test_django_notifications"}
# FORECOURT_TEST_SUFFIX (default: tox's env name; unset/empty: the names above) gives concurrent runs, such as
# `tox -p`, their own test database and Redis keys (broker and results under kombu's global_keyprefix).
TEST_SUFFIX = re.sub(r"\W", "_", os.environ.get("FORECOURT_TEST_SUFFIX", os.environ.get("TOX_ENV_NAME", ""))).lower()
if TEST_SUFFIX:
    DATABASES["default"]["TEST"]["NAME"] += f"_{TEST_SUFFIX}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{TEST_SUFFIX}:"}
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": f"{TEST_SUFFIX}:"}
REDIS_URL = re.sub(r"/\d*$", "/2", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
ROOT_URLCONF = "tests.urls"
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "DIRS": [Path(__file__).resolve().parent / "templates"],
              "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                 "django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
INSTALLED_APPS += ["channels"]
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": f"notifications-tests-{TEST_SUFFIX}".rstrip("-")},
    }
}
CELERY_BROKER_URL = REDIS_URL
DEFAULT_FROM_EMAIL = "forecourt@example.com"
STATIC_URL = "/static/"
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = "notifications-tests"
