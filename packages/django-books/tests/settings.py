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
    "forecourt_core.events",  # django-wallet records domain events
    "tests.testapp",
    "django_wallet",
    "django_books",
]
AUTH_USER_MODEL = "testapp.User"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/forecourt"))}
DATABASES["default"]["TEST"] = {"NAME": "test_django_books"}
# FORECOURT_TEST_SUFFIX (default: tox's env name; unset/empty: the names above) gives concurrent runs, such as
# `tox -p`, their own test database and Redis keys (broker and results under kombu's global_keyprefix).
TEST_SUFFIX = re.sub(r"\W", "_", os.environ.get("FORECOURT_TEST_SUFFIX", os.environ.get("TOX_ENV_NAME", ""))).lower()
if TEST_SUFFIX:
    DATABASES["default"]["TEST"]["NAME"] += f"_{TEST_SUFFIX}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{TEST_SUFFIX}:"}
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": f"{TEST_SUFFIX}:"}
# Durability is not under test; skipping the WAL flush per commit keeps the suite fast on a shared box.
DATABASES["default"]["OPTIONS"] = {"options": "-c synchronous_commit=off"}
ROOT_URLCONF = "tests.urls"
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                 "django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# The kernel's one exception handler renders {code, message, fields}, as in the site.
REST_FRAMEWORK = {"EXCEPTION_HANDLER": "forecourt_core.drf.exception_handler",
                  "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
BOOKS_WALLET_ACCOUNT = "tests.hooks.business_account"
BOOKS_PROFILE_DEFAULTS = "tests.hooks.profile_defaults"
# django-wallet's services record domain events; delivering them is the site's concern.
FORECOURT_EVENTS_KICK = False
