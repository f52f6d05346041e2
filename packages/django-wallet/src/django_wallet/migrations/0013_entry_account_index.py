"""An entry's account is indexed once: the statement index (account, created_at, id) serves lookups by account,
so the foreign key's own index goes (one index fewer written per entry, under the accounts' row locks)."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("wallet", "0012_post_short_lock")]

    operations = [
        migrations.AlterField(
            model_name="entry",
            name="account",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="entries", to="wallet.account"),
        ),
    ]
