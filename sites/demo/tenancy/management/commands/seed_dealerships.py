"""Create N dealerships (`<prefix>-00001` ...) with a progress bar; those that exist are kept.

    manage.py seed_dealerships 1000 [--prefix bench] [--method replay|migrate|parallel] [--processes 2]

--method replay (default) builds each schema from the recorded migration SQL (tenancy/schemas.py),
migrate runs django-tenants' migrate_schemas for each one, parallel creates every row and empty
schema first and then migrates them all with django-tenants' multiprocessing executor.
"""
import sys
import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tenancy import schemas
from tenancy.models import Dealership
from tenancy.services import SLUG_RE, dealership_create, dealerships_create_parallel, public_tenant_ensure

METHODS = {"replay": schemas.REPLAYED, "migrate": schemas.MIGRATED}


class Progress:
    """A one-line progress bar on a terminal (a line every 10% otherwise, so logs stay short)."""

    def __init__(self, total: int, stream, width: int = 30) -> None:
        self.total, self.stream, self.width = total, stream, width
        self.started, self.done, self.tty = time.monotonic(), 0, stream.isatty()

    def step(self, label: str = "") -> None:
        self.done += 1
        if not self.tty and self.done % max(1, self.total // 10) and self.done != self.total:
            return
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed else 0.0
        eta = (self.total - self.done) / rate if rate else 0.0
        filled = self.width * self.done // max(1, self.total)
        line = (f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} "
                f"{rate:.1f}/s eta {eta:.0f}s {label}")
        self.stream.write(("\r" + line.ljust(90)) if self.tty else line + "\n")
        if self.tty and self.done == self.total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Create N dealerships quickly (replayed schemas), with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--prefix", default="dealer")
        parser.add_argument("--method", choices=[*METHODS, "parallel"], default="replay")
        parser.add_argument("--processes", type=int, default=2, help="worker processes for --method parallel")

    def handle(self, *args, count, prefix, method, processes, **options):
        if count < 1 or count > 99_999:
            raise CommandError("count must be between 1 and 99999")
        if not SLUG_RE.match(f"{prefix}-{count:05d}"):
            raise CommandError("prefix must be lowercase letters, digits and dashes, starting with a letter")
        connection.set_schema_to_public()  # dealerships are created from public (call_command may come from anywhere)
        public_tenant_ensure()
        wanted = [(f"{prefix.title()} Motors {i:05d}", f"{prefix}-{i:05d}") for i in range(1, count + 1)]
        existing = set(Dealership.objects.filter(slug__in=[slug for _, slug in wanted]).values_list("slug", flat=True))
        todo = [(name, slug) for name, slug in wanted if slug not in existing]
        self.stderr.write(f"{len(existing)} of {count} exist; creating {len(todo)} by {method}")
        started, methods = time.monotonic(), Counter()
        stream = getattr(self.stderr, "_out", sys.stderr)
        if method == "parallel" and todo:
            # Rows and empty schemas, then one migrate_schemas run, then domains: two passes over the list.
            progress = Progress(2 * len(todo), stream)
            for dealership in dealerships_create_parallel(todo, processes=processes, on_step=progress.step):
                methods[dealership.schema_build_method] += 1
        elif todo:
            progress = Progress(len(todo), stream)
            with schemas.forced_method(METHODS[method]):
                for name, slug in todo:
                    dealership = dealership_create(name=name, slug=slug)
                    methods[dealership.schema_build_method] += 1
                    progress.step(slug)
        seconds = time.monotonic() - started
        per = seconds / len(todo) if todo else 0.0
        built = ", ".join(f"{n} {how}" for how, n in sorted(methods.items())) or "none"
        self.stdout.write(f"created {len(todo)} dealerships in {seconds:.1f} s ({per:.3f} s each; {built})")
