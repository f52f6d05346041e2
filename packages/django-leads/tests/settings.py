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
    "django.contrib.postgres",
    "rest_framework",
    "simple_history",
    "forecourt_core.events",
    "tests.testapp",
    "django_wallet",
    "django_car_listing",
    "django_leads",
]
AUTH_USER_MODEL = "testapp.User"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/forecourt"))}
DATABASES["default"]["TEST"] = {"NAME": "test_django_leads"}
# FORECOURT_TEST_SUFFIX (default: tox's env name; unset/empty: the names above) gives concurrent runs, such as
# `tox -p`, their own test database and Redis keys (broker and results under kombu's global_keyprefix).
TEST_SUFFIX = re.sub(r"\W", "_", os.environ.get("FORECOURT_TEST_SUFFIX", os.environ.get("TOX_ENV_NAME", ""))).lower()
if TEST_SUFFIX:
    DATABASES["default"]["TEST"]["NAME"] += f"_{TEST_SUFFIX}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{TEST_SUFFIX}:"}
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": f"{TEST_SUFFIX}:"}
REDIS_URL = re.sub(r"/\d*$", "/4", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
ROOT_URLCONF = "tests.urls"
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                 "django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Car-listing enqueues its purchase e-mail through Celery on commit; no worker consumes this queue.
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = "leads_tests"
CAR_LISTING_STORE_ACCOUNT = "tests.stores.store_account"
LEADS_BUSINESS_ACCOUNT = "tests.stores.business_account"
# As the site has it (drf-spectacular need not be in INSTALLED_APPS).
REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
# Services record domain events (forecourt_core.events); these tests read the rows. No relay task is sent:
# delivering events is the site's and forecourt-core's concern.
FORECOURT_EVENTS_KICK = False
