"""Record the SQL recipe new dealership schemas are replayed from, if the current migrations have none.

    manage.py migrate_schemas && manage.py tenant_schema_recipe

Run it after deploying migrations so the first dealership created afterwards is replayed too
(otherwise that one is migrated and records the recipe itself). Idempotent.
"""
from django.core.management.base import BaseCommand

from tenancy.schemas import recipe_ensure


class Command(BaseCommand):
    help = "Record the dealership schema recipe for the current migrations (no-op when it exists)."

    def handle(self, *args, **options):
        recipe = recipe_ensure(verbosity=max(0, options["verbosity"] - 1))
        state = "replayable" if recipe.replayable else f"NOT replayable ({recipe.not_replayable_because})"
        self.stdout.write(f"{recipe} from {len(recipe.migrations)} migrations,"
                          f" recorded {recipe.created_at:%Y-%m-%d %H:%M}"
                          f" from schema {recipe.recorded_from}: {state}")
