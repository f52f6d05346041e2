"""Batches decide their postings under the locks in the service (services/batch_postings.py) and write them
in one statement; the per-posting loop of 0006 goes."""
from pathlib import Path

from django.db import migrations

_0007 = (Path(__file__).parent / "sql" / "0007_post_owners.sql").read_text().split("-- reverse:")[0]
CREATE_POST_EACH = "CREATE FUNCTION wallet_post_each(" + _0007.split("CREATE FUNCTION wallet_post_each(", 1)[1]
DROP_POST_EACH = ("DROP FUNCTION wallet_post_each(uuid[], text[], text[], jsonb[], text, text[], text[], bigint[], "
                  "bigint[], numeric[], timestamptz);")


class Migration(migrations.Migration):
    dependencies = [("wallet", "0007_post_owners")]

    operations = [migrations.RunSQL(DROP_POST_EACH, CREATE_POST_EACH)]
