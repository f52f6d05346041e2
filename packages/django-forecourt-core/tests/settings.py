"""The kernel alone on plain PostgreSQL, from the same settings factory every package's tests use."""
from forecourt_core.testing import package_test_settings

globals().update(package_test_settings("forecourt_core", apps=[], redis_db=7))
