"""Seed synthetic marketplace rows into the ListingIndex (benchmarks, demos). Server-side
generate_series in chunks, with a progress bar on stderr. Never touches real cars."""
import sys
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Max

from ... import conf
from ...models import ListingIndex

MAKES = ["Toyota", "Volkswagen", "Ford", "BMW", "Audi", "Honda", "Tesla", "Kia", "Skoda", "Renault"]
MODELS = ["Corolla", "Golf", "Focus", "X5", "A4", "Civic", "Model 3", "Sportage", "Octavia", "Clio"]
BODIES = ["sedan", "hatchback", "wagon", "suv", "coupe", "van"]
FUELS = ["petrol", "diesel", "hybrid", "electric"]
WORDS = ["one owner full service history", "panoramic roof heated seats", "low mileage garage kept",
         "new tyres and brakes", "towbar and roof rails", "leather interior navigation"]

SQL_TEMPLATE = """
INSERT INTO __TABLE__
  (store_key, store_name, car_id, make, model, year, price, mileage, body_type, fuel, transmission, colour,
   sale_type, location, description, thumbnail, verified, is_for_sale, featured_until, listed_at,
   search_vector, updated_at)
SELECT s.store_key, s.store_key, g.i, m.make, m.model, 2000 + g.i %% 25, 1000 + (g.i * 7919) %% 90000,
       (g.i * 104729) %% 250000, (%(bodies)s::text[])[1 + g.i %% %(nb)s], (%(fuels)s::text[])[1 + g.i %% %(nf)s],
       CASE WHEN g.i %% 3 = 0 THEN 'automatic' ELSE 'manual' END, 'grey', 'fixed', 'City',
       d.description, '', true, true,
       CASE WHEN g.i %% 100 = 0 THEN now() + interval '7 days' END, now() - make_interval(secs => g.i),
       to_tsvector(%(cfg)s::regconfig, m.make || ' ' || m.model || ' ' || d.description), now()
FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS g(i)
CROSS JOIN LATERAL (SELECT CASE WHEN g.i %% (%(stores)s + 1) = 0 THEN ''
                                ELSE 'dealer' || lpad((g.i %% (%(stores)s + 1))::text, 3, '0') END AS store_key) s
CROSS JOIN LATERAL (SELECT (%(makes)s::text[])[1 + g.i %% %(nm)s] AS make,
                           (%(models)s::text[])[1 + (g.i / 7) %% %(nm)s] AS model) m
CROSS JOIN LATERAL (SELECT (%(words)s::text[])[1 + (g.i / 3) %% %(nw)s] AS description) d
"""


def _sql() -> str:
    return SQL_TEMPLATE.replace("__TABLE__", connection.ops.quote_name(ListingIndex._meta.db_table))


def _bar(done: int, total: int, started: float) -> str:
    width = 30
    filled = int(width * done / total) if total else width
    rate = done / max(time.monotonic() - started, 1e-9)
    return f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows {rate:,.0f}/s"


class Command(BaseCommand):
    help = "Seed N synthetic listings over S dealerships (plus private sellers) into the marketplace index."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--stores", type=int, default=100)
        parser.add_argument("--chunk", type=int, default=50_000)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *, count, stores, chunk, no_progress, **options):
        with conf.public_context():
            start = (ListingIndex.objects.aggregate(m=Max("car_id"))["m"] or 0) + 1
            params = {"bodies": BODIES, "nb": len(BODIES), "fuels": FUELS, "nf": len(FUELS), "makes": MAKES,
                      "models": MODELS, "nm": len(MAKES), "words": WORDS, "nw": len(WORDS), "stores": stores,
                      "cfg": conf.get("CAR_LISTING_SEARCH_CONFIG")}
            started, done = time.monotonic(), 0
            while done < count:
                n = min(chunk, count - done)
                with transaction.atomic(), connection.cursor() as cur:
                    cur.execute(_sql(), {**params, "lo": start + done, "hi": start + done + n - 1})
                done += n
                if not no_progress:
                    sys.stderr.write(_bar(done, count, started))
                    sys.stderr.flush()
            if not no_progress:
                sys.stderr.write("\n")
            # VACUUM (not only ANALYZE): it sets the visibility map that index-only scans rely on, as
            # autovacuum would after a bulk load. Outside a transaction (VACUUM refuses one).
            with connection.cursor() as cur:
                verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
                cur.execute(f"{verb} {connection.ops.quote_name(ListingIndex._meta.db_table)}")
        self.stdout.write(f"seeded {count} listings (car ids {start}..{start + count - 1})")
