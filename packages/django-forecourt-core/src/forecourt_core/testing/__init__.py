"""What every package's test suite starts from: the package alone on plain PostgreSQL.

A package's ``tests/settings.py``::

    from forecourt_core.testing import package_test_settings

    globals().update(package_test_settings("django_wallet", apps=["django_wallet"], redis_db=1))
    WALLET_PHONE_REGION = "GB"  # then whatever this package's tests need on top

What it gives: Django's contrib apps; the custom user model ``testapp.User`` (this package is its
app, label ``testapp``, so no package's tests can assume ``auth.User``); the kernel's event outbox
(``forecourt_core.events``: services record events and tests read the rows; no relay task is sent,
delivering events is a site's concern); DRF with the kernel's exception handler and pagination (so a
package's tests see the error body a site sends); the test database ``test_<package>`` and the Redis
database ``redis_db`` (Celery broker and results) of ``REDIS_URL``.

``FORECOURT_TEST_SUFFIX`` (default: tox's env name; unset or empty: none) gives concurrent runs, such as
``tox -p`` or two checkouts on one machine, their own test database (``test_<package>_<suffix>``) and
their own Redis keys (``<suffix>:`` before every broker and result key).
"""
from __future__ import annotations

import os
import re

import django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/forecourt"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
CONTRIB_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.admin",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]


def run_suffix() -> str:
    """This run's suffix for database names and Redis keys ("" for none)."""
    raw = os.environ.get("FORECOURT_TEST_SUFFIX", os.environ.get("TOX_ENV_NAME", ""))
    return re.sub(r"\W", "_", raw).lower()


def mail_settings(backend: str) -> dict:
    """The setting that sends e-mail through ``backend``: ``MAILERS`` where Django has it (6.1+; it
    deprecates ``EMAIL_BACKEND``), ``EMAIL_BACKEND`` before."""
    if django.VERSION >= (6, 1):
        return {"MAILERS": {"default": {"BACKEND": backend}}}
    return {"EMAIL_BACKEND": backend}


def package_test_settings(package: str, *, apps: list[str], redis_db: int,
                          middleware: list[str] | None = None) -> dict:
    """Django settings for ``package``'s tests (see the module docstring); ``apps`` follow the contrib apps."""
    import dj_database_url  # a test dependency only

    suffix = run_suffix()
    database = dj_database_url.parse(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    database["TEST"] = {"NAME": f"test_{package}" + (f"_{suffix}" if suffix else "")}
    # Durability is not under test; skipping the WAL flush per commit keeps suites fast on a shared box.
    # Every invariant is still enforced by the same locks and triggers.
    database["OPTIONS"] = {"options": "-c synchronous_commit=off"}
    redis_url = re.sub(r"/\d*$", f"/{redis_db}", os.environ.get("REDIS_URL", DEFAULT_REDIS_URL))
    key_prefix = f"{suffix}:" if suffix else ""
    settings = {
        "SECRET_KEY": "tests-only",
        "USE_TZ": True,
        "DEBUG": False,
        "INSTALLED_APPS": [*CONTRIB_APPS, "forecourt_core.testing", "forecourt_core.events", *apps],
        "DATABASES": {"default": database},
        "REDIS_URL": redis_url,
        "ROOT_URLCONF": "tests.urls",
        "MIDDLEWARE": MIDDLEWARE + list(middleware or []),
        "TEMPLATES": [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
                       "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                          "django.contrib.auth.context_processors.auth",
                                                          "django.contrib.messages.context_processors.messages"]}}],
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        **mail_settings("django.core.mail.backends.locmem.EmailBackend"),
        "STATIC_URL": "/static/",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        # drf-spectacular need not be an installed app (a site may not install it); its AutoSchema still
        # builds each package's schema.
        "REST_FRAMEWORK": {
            "EXCEPTION_HANDLER": "forecourt_core.drf.exception_handler",
            "DEFAULT_PAGINATION_CLASS": "forecourt_core.drf.Pagination",
            "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        },
        "AUTH_USER_MODEL": "testapp.User",
        "FORECOURT_EVENTS_KICK": False,
    }
    if key_prefix:
        settings["CELERY_BROKER_TRANSPORT_OPTIONS"] = {"global_keyprefix": key_prefix}
        settings["CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS"] = {"global_keyprefix": key_prefix}
    return settings
