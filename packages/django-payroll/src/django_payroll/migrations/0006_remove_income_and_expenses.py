"""Payroll keeps HR and payroll only: its income and expense list (``Category``, ``Entry`` and the
trigger-kept ``MonthlyTotal``) is dropped once it is all in django-books.

A database may have applied 0005 long before this: the API and payroll runs kept writing entries and
categories after it. So 0005's copy runs again first; it is idempotent (an account code or journal
entry key already in the books is skipped, so a paid run the books posted as ``payroll-run:<id>`` is
not booked twice) and copies only what is missing. The dependency on 0005 makes a fresh ``migrate``
(or ``migrate_schemas``) copy every entry before the tables go.
"""
from importlib import import_module

from django.db import migrations

DROP_TRIGGER = r"""
DROP TRIGGER IF EXISTS payroll_entry_monthly_total ON payroll_entry;
DROP FUNCTION IF EXISTS payroll_entry_monthly_total();
"""
# Migrating back recreates the empty tables and their trigger as 0003 made them (the figures stay in the books).
CREATE_TRIGGER = import_module("django_payroll.migrations.0003_monthly_totals").FORWARD
COPY_MISSING = import_module("django_payroll.migrations.0005_entries_to_books").FORWARD


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0005_entries_to_books"),
    ]

    operations = [
        migrations.RunSQL(COPY_MISSING, migrations.RunSQL.noop),
        migrations.RunSQL(DROP_TRIGGER, CREATE_TRIGGER),
        migrations.DeleteModel(name="MonthlyTotal"),
        migrations.DeleteModel(name="Entry"),
        migrations.DeleteModel(name="Category"),
    ]
