"""The production settings with one change for the HTTP bench: collected static files go to a
directory of the bench's own (sites/demo/var/static is shared with every test run on the machine)."""
import os
import tempfile
from pathlib import Path

from demo.settings.production import *  # noqa: F403

STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", Path(tempfile.gettempdir()) / "forecourt_bench_http_static"))
