"""The package alone on plain PostgreSQL (no django-tenants), with a custom user model."""
from forecourt_core.testing import package_test_settings

globals().update(package_test_settings("django_wallet", apps=["forecourt_core.events", "django_wallet"], redis_db=1))
# Services record domain events (forecourt_core.events); these tests read the rows, no relay task is sent.
FORECOURT_EVENTS_KICK = False
