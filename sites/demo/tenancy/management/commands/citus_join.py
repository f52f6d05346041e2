"""Join this database to a Citus cluster: the extension on every node, the workers registered, the reference tables.

    manage.py citus_join 10.0.0.2:5432 10.0.0.3:5432      # or CITUS_WORKERS=host:port,host:port

Run it on a fresh database before `migrate_schemas` (or after: the reference tables are made then too).
The workers are reached with DATABASE_URL's credentials. Idempotent. docs/scaling.md.
"""
import os

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from tenancy import citus


class Command(BaseCommand):
    help = "Join the database to a Citus cluster (coordinator = DATABASE_URL) with the given workers."

    def add_arguments(self, parser):
        parser.add_argument("workers", nargs="*", help="host:port of each worker (default: CITUS_WORKERS)")

    def handle(self, *args, **options):
        workers = citus.workers_from(",".join(options["workers"]) or os.environ.get("CITUS_WORKERS", ""))
        if not workers:
            raise CommandError("name the workers (host:port ...) or set CITUS_WORKERS")
        try:
            citus.nodes_join(workers)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        made = citus.shared_tables_distribute()
        self.stdout.write(f"joined {len(workers)} workers; reference tables made: {', '.join(made) or 'none'}")
