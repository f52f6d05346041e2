"""The package alone on plain PostgreSQL (no django-tenants), from the kernel's test settings factory."""
import os
import tempfile

from forecourt_core.testing import package_test_settings

globals().update(package_test_settings(
    "django_car_listing", redis_db=3,
    apps=["simple_history", "django_wallet", "django_car_listing"]))
MEDIA_ROOT = os.path.join(tempfile.gettempdir(), "car_listing_test_media")
DEFAULT_FROM_EMAIL = "noreply@forecourt.test"

# The store hooks: a test-controlled current store; STORE_CONTEXT stays the default nullcontext (one schema,
# distinct store keys), which is what a plain install does.
CAR_LISTING_CURRENT_STORE = "tests.stores.current_store"
CAR_LISTING_STORE_ACCOUNT = "tests.stores.store_account"
CAR_LISTING_STORE_NAME = "tests.stores.store_name"
CAR_LISTING_LEAD_COUNTER = "tests.stores.lead_counter"
CELERY_TASK_DEFAULT_QUEUE = "car_listing_tests"
