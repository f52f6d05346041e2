"""The package alone on plain PostgreSQL (no django-tenants), from the kernel's test settings factory."""
from forecourt_core.testing import package_test_settings

globals().update(package_test_settings("django_books", apps=["django_wallet", "django_books"], redis_db=8))
BOOKS_WALLET_ACCOUNT = "tests.hooks.business_account"
BOOKS_PROFILE_DEFAULTS = "tests.hooks.profile_defaults"
