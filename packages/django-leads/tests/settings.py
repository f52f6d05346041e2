"""The package alone on plain PostgreSQL (no django-tenants), from the kernel's test settings factory."""
from forecourt_core.testing import package_test_settings

globals().update(package_test_settings(
    "django_leads", redis_db=4,
    apps=["simple_history", "django_wallet", "django_car_listing", "django_leads"],
    middleware=["simple_history.middleware.HistoryRequestMiddleware"]))
# Car-listing enqueues its purchase e-mail through Celery on commit; no worker consumes this queue.
CELERY_TASK_DEFAULT_QUEUE = "leads_tests"
CAR_LISTING_STORE_ACCOUNT = "tests.stores.store_account"
LEADS_BUSINESS_ACCOUNT = "tests.stores.business_account"
