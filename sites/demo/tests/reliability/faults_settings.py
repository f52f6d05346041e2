"""Settings of the fault tests' own server and worker processes (see faultkit.py).

The test settings, plus: e-mail files in the test's own folder (one per connection), the broker's visibility timeout
and unacked-restore scan from the environment (seconds, so a killed worker's task comes back
within a test), relays every second instead of every 5-10 s, and the worker probes in faults_hooks.
"""
import os

from demo.settings.test import *  # noqa: F403
from demo.settings.test import CELERY_BEAT_SCHEDULE

EMAIL_BACKEND = "tests.reliability.mail_backend.EmailBackend"  # a file per connection, whatever the timing
EMAIL_FILE_PATH = os.environ["FAULTS_MAIL_DIR"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("FAULTS_VISIBILITY_TIMEOUT", "300")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
CELERY_IMPORTS = ["tests.reliability.faults_hooks"]
CELERY_BEAT_SCHEDULE = {name: {**entry, "schedule": 1.0} for name, entry in CELERY_BEAT_SCHEDULE.items()
                        if "relay" in name}
FORECOURT_EVENTS_RECLAIM_AFTER_SECONDS = 2  # a claim whose relay was killed is taken again after 2 s
# 0 (the test default) opens a connection per request; the database fault tests set 60 as production does.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("FAULTS_CONN_MAX_AGE", "0"))  # noqa: F405
# The demo runs with DEBUG on: the outage tests check the documented answers hold there too.
DEBUG = os.environ.get("FAULTS_DEBUG") == "1"
