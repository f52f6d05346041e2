"""``Commission.wallet_transaction`` (text) becomes ``wallet_transaction_id``, a UUID, like every other
reference to a wallet transaction: empty strings become NULL, the rest are transaction UUIDs already."""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]

    operations = [
        migrations.RenameField("commission", "wallet_transaction", "wallet_transaction_id"),
        migrations.AlterField("commission", "wallet_transaction_id",
                              models.CharField(max_length=64, null=True, blank=True)),
        migrations.RunSQL(
            "UPDATE leads_commission SET wallet_transaction_id = NULL WHERE wallet_transaction_id = ''",
            "UPDATE leads_commission SET wallet_transaction_id = '' WHERE wallet_transaction_id IS NULL",
        ),
        migrations.AlterField("commission", "wallet_transaction_id", models.UUIDField(null=True, blank=True)),
    ]
