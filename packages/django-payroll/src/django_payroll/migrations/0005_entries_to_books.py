"""Payroll's income and expense list is copied into django-books, nothing lost.

Each category becomes an account of the chart (code ``P-<category code>``, its name, income or
expense); each entry becomes a journal entry on its date with its description and author: one line
on the category's account for its amount, the other on the equity account "Single-entry books
before double entry" (role ``migrated_balance``), which holds what the single-entry list never said
(where the money came from or went). Automatic entries keep their cause: a car sale is keyed
``car-sale:<id>`` or ``lead-sale:<id>``, a commission ``commission-paid:<uuid>``, a payroll run
``payroll-run:<id>``, as the books' own postings are, so nothing is booked a second time; a manual
entry is keyed ``payroll-entry:<id>``. The copy is idempotent: an account whose code exists and an
entry whose key exists are left as they are (and get no lines), so it can run again (migration 0006
does, for what was written after this ran) and never books twice what the books posted themselves.
Plain SQL, so a schema with no entries (every new one) writes nothing and its recorded migration SQL
can be replayed. The copy runs only when there are entries: on a Citus cluster its joins cannot even
be planned in a new (distributed) schema.
"""
from django.db import migrations

ACCOUNT_CODE = "CASE WHEN length(c.code) <= 18 THEN 'P-' || c.code ELSE 'P-' || left(c.code, 10) || '-' || c.id END"
KEY = """CASE
    WHEN e.source_type = 'car_sale' AND e.source_id LIKE 'car:%' THEN 'car-sale:' || substr(e.source_id, 5)
    WHEN e.source_type = 'car_sale' AND e.source_id LIKE 'lead:%' THEN 'lead-sale:' || substr(e.source_id, 6)
    WHEN e.source_type = 'commission' THEN 'commission-paid:' || e.source_id
    WHEN e.source_type = 'payroll_run' THEN 'payroll-run:' || e.source_id
    ELSE 'payroll-entry:' || e.id
END"""

FORWARD = f"""
DO $copy$ BEGIN IF EXISTS (SELECT 1 FROM payroll_entry) THEN
INSERT INTO books_ledgeraccount (code, name, type, role, is_active, created_at)
SELECT '3900', 'Single-entry books before double entry', 'equity', 'migrated_balance', true, now()
WHERE NOT EXISTS (SELECT 1 FROM books_ledgeraccount WHERE role = 'migrated_balance');

INSERT INTO books_ledgeraccount (code, name, type, role, is_active, created_at)
SELECT {ACCOUNT_CODE}, c.name, c.kind, NULL, true, now() FROM payroll_category c
WHERE NOT EXISTS (SELECT 1 FROM books_ledgeraccount a WHERE a.code = {ACCOUNT_CODE})
ORDER BY c.id;

-- Lines go only to the entries this statement writes (an entry already in the books keeps its own).
WITH copied AS (
    INSERT INTO books_journalentry (date, memo, key, created_by_id, created_at)
    SELECT e.booked_on, e.description, {KEY}, e.created_by_id, e.created_at FROM payroll_entry e
    WHERE NOT EXISTS (SELECT 1 FROM books_journalentry j WHERE j.key = {KEY})
    ORDER BY e.id
    RETURNING id, key
)
INSERT INTO books_journalline (entry_id, account_id, amount, date, memo, source_type, source_id)
SELECT j.id, a.id, CASE WHEN e.kind = 'income' THEN -e.amount ELSE e.amount END, e.booked_on, e.description,
       CASE WHEN e.source_type = '' THEN 'payroll_entry' ELSE e.source_type END,
       CASE WHEN e.source_type = '' THEN e.id::text ELSE e.source_id END
FROM payroll_entry e
JOIN payroll_category c ON c.id = e.category_id
JOIN books_ledgeraccount a ON a.code = {ACCOUNT_CODE}
JOIN copied j ON j.key = {KEY}
UNION ALL
SELECT j.id, m.id, CASE WHEN e.kind = 'income' THEN e.amount ELSE -e.amount END, e.booked_on, e.description,
       'payroll_entry', e.id::text
FROM payroll_entry e
JOIN books_ledgeraccount m ON m.role = 'migrated_balance'
JOIN copied j ON j.key = {KEY}
ORDER BY 1, 2;
END IF; END $copy$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0004_run_wallet_transaction_uuid"),
        ("books", "0002_invariants"),
    ]

    # No way back: the books refuse to delete what was posted (move the data by hand if ever needed).
    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
