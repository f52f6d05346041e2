"""Local demo: DEBUG on, e-mail written to files the README names."""
import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402,F403
from .base import BASE_DIR, SECRET_KEY  # noqa: E402

SECRET_KEY = SECRET_KEY or "dev-only-not-secret-" + "x" * 40
DEBUG = True
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = str(BASE_DIR / "var" / "mail")
TRADING_ALLOW_SELF_FUNDING = True
