"""``wallet_transaction_id`` becomes a UUID (empty strings become NULL, every other value is a wallet
transaction's UUID already), and the store's ``Sale`` becomes ``StoreSale`` (its table is renamed
with it; no trigger or raw SQL refers to it)."""
from django.db import migrations, models

TABLES = ("car_listing_ownershiprecord", "car_listing_sale")


class Migration(migrations.Migration):
    dependencies = [("car_listing", "0004_marketplace_covering_indexes")]

    operations = [
        migrations.AlterField("ownershiprecord", "wallet_transaction_id",
                              models.CharField(max_length=64, null=True, blank=True)),
        migrations.AlterField("sale", "wallet_transaction_id", models.CharField(max_length=64, null=True, blank=True)),
        migrations.RunSQL(
            [f"UPDATE {table} SET wallet_transaction_id = NULL WHERE wallet_transaction_id = ''" for table in TABLES],
            [f"UPDATE {table} SET wallet_transaction_id = '' WHERE wallet_transaction_id IS NULL" for table in TABLES],
        ),
        migrations.AlterField("ownershiprecord", "wallet_transaction_id", models.UUIDField(null=True, blank=True)),
        migrations.AlterField("sale", "wallet_transaction_id", models.UUIDField(null=True, blank=True)),
        migrations.RenameModel("Sale", "StoreSale"),
        migrations.AlterField("storesale", "car", models.OneToOneField(
            on_delete=models.deletion.PROTECT, related_name="store_sale", to="car_listing.car")),
    ]
