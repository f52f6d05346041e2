from django.core.management.base import BaseCommand

from django_notifications import services


class Command(BaseCommand):
    help = "Hand pending notification outbox rows to the Celery broker (what the periodic relay task does)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None)

    def handle(self, *args, limit=None, **options):
        count = services.relay_outbox(limit=limit)
        self.stdout.write(f"relayed {count} outbox message(s)")
