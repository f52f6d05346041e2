"""The package alone on plain PostgreSQL (no django-tenants), with a custom user model."""

import os
import re

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
    "rest_framework",
    "forecourt_core.events",
    "tests.testapp",
    "django_wallet",
]
AUTH_USER_MODEL = "testapp.User"
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/forecourt"))
}
DATABASES["default"]["TEST"] = {"NAME": "test_django_wallet"}
# FORECOURT_TEST_SUFFIX (default: tox's env name; unset/empty: the names above) gives concurrent runs, such as
# `tox -p`, their own test database and Redis keys (broker and results under kombu's global_keyprefix).
TEST_SUFFIX = re.sub(r"\W", "_", os.environ.get("FORECOURT_TEST_SUFFIX", os.environ.get("TOX_ENV_NAME", ""))).lower()
if TEST_SUFFIX:
    DATABASES["default"]["TEST"]["NAME"] += f"_{TEST_SUFFIX}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{TEST_SUFFIX}:"}
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": f"{TEST_SUFFIX}:"}
# Durability is not under test; the WAL flush per commit would dominate the concurrency tests'
# run time on a shared 2-core box. Every invariant is still enforced by the same locks/triggers.
DATABASES["default"]["OPTIONS"] = {"options": "-c synchronous_commit=off"}
REDIS_URL = re.sub(r"/\d*$", "/1", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
ROOT_URLCONF = "tests.urls"
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# drf-spectacular is used without being in INSTALLED_APPS (as a site would, or not).
REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
# Services record domain events (forecourt_core.events); these tests read the rows. No relay task is sent:
# delivering events is the site's and forecourt-core's concern.
FORECOURT_EVENTS_KICK = False
