"""The package alone on plain PostgreSQL (no django-tenants), with a custom user model."""
from forecourt_core.testing import package_test_settings

globals().update(package_test_settings(
    "django_payroll", redis_db=5,
    apps=["forecourt_core.events", "simple_history", "django_wallet", "django_books", "django_payroll"]))
# The business pays from an account that may NOT overdraw (the default system account may).
PAYROLL_BUSINESS_ACCOUNT = "tests.hooks.business_account"
PAYROLL_COMMISSION_SOURCE = "tests.hooks.commission"
# Services record domain events (forecourt_core.events); these tests read the rows. No relay task is sent:
# delivering events is the site's and forecourt-core's concern.
FORECOURT_EVENTS_KICK = False
