"""Payroll keeps HR and payroll only: its income and expense list (``Category``, ``Entry`` and the
trigger-kept ``MonthlyTotal``) is dropped once migration 0005 has copied it into django-books.

The dependency on 0005 is what makes a fresh ``migrate`` (or ``migrate_schemas``) copy every entry
before the tables go; 0005 itself runs after the books' tables and invariants exist.
"""
from importlib import import_module

from django.db import migrations

DROP_TRIGGER = r"""
DROP TRIGGER IF EXISTS payroll_entry_monthly_total ON payroll_entry;
DROP FUNCTION IF EXISTS payroll_entry_monthly_total();
"""
# Migrating back recreates the empty tables and their trigger as 0003 made them (the figures stay in the books).
CREATE_TRIGGER = import_module("django_payroll.migrations.0003_monthly_totals").FORWARD


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0005_entries_to_books"),
    ]

    operations = [
        migrations.RunSQL(DROP_TRIGGER, CREATE_TRIGGER),
        migrations.DeleteModel(name="MonthlyTotal"),
        migrations.DeleteModel(name="Entry"),
        migrations.DeleteModel(name="Category"),
    ]
