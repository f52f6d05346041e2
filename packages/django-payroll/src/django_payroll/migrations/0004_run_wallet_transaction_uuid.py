"""``PayrollRun.wallet_transaction_id`` becomes a UUID: empty strings (unpaid runs) become NULL, paid
runs hold their transaction's UUID already. The paid-run freeze trigger compares the column with
IS DISTINCT FROM, which works on either type; changing the type rewrites the table without firing
row triggers, and the UPDATE touches unpaid runs only."""
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("payroll", "0003_monthly_totals")]

    operations = [
        migrations.AlterField("payrollrun", "wallet_transaction_id",
                              models.CharField(max_length=64, null=True, blank=True)),
        migrations.RunSQL(
            "UPDATE payroll_payrollrun SET wallet_transaction_id = NULL WHERE wallet_transaction_id = ''",
            "UPDATE payroll_payrollrun SET wallet_transaction_id = '' WHERE wallet_transaction_id IS NULL",
        ),
        migrations.AlterField("payrollrun", "wallet_transaction_id", models.UUIDField(null=True, blank=True)),
    ]
