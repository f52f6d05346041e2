"""The package alone on plain PostgreSQL (no django-tenants), from the kernel's test settings factory."""
from forecourt_core.testing import package_test_settings

globals().update(package_test_settings(
    "django_payroll", redis_db=5,
    apps=["simple_history", "django_wallet", "django_books", "django_payroll"]))
# The business pays from an account that may NOT overdraw (the default system account may).
PAYROLL_BUSINESS_ACCOUNT = "tests.hooks.business_account"
PAYROLL_COMMISSION_SOURCE = "tests.hooks.commission"
