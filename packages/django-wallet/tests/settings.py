"""The package alone on plain PostgreSQL (no django-tenants), from the kernel's test settings factory."""
from forecourt_core.testing import package_test_settings

globals().update(package_test_settings("django_wallet", apps=["django_wallet"], redis_db=1))
