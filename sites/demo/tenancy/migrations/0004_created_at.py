"""``created`` becomes ``created_at``, the name the packages use (column renames: rows stay)."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0003_schema_recipe")]

    operations = [
        migrations.RenameField(model, "created", "created_at")
        for model in ("dealership", "membership", "dealershipfollow", "schemarecipe")
    ]
