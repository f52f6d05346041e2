-- The books' invariants, held by the database itself so that raw SQL cannot break them either.

-- 1. Amounts: a line is never zero and has at most two places (the column's scale).
ALTER TABLE books_journalline ADD CONSTRAINT books_line_amount_nonzero CHECK (amount <> 0);
ALTER TABLE books_vehiclecost ADD CONSTRAINT books_vehiclecost_amount_positive CHECK (amount > 0);
ALTER TABLE books_vehiclesale ADD CONSTRAINT books_vehiclesale_amounts CHECK (
    gross >= 0 AND net >= 0 AND vat >= 0 AND cost >= 0 AND gross = net + vat);
ALTER TABLE books_booksprofile ADD CONSTRAINT books_profile_vat_rate CHECK (vat_rate >= 0 AND vat_rate < 100);
ALTER TABLE books_booksprofile ADD CONSTRAINT books_profile_one_row CHECK (id = 1);
ALTER TABLE books_invoicecounter ADD CONSTRAINT books_invoicecounter_one_row CHECK (id = 1);

-- 2. Every entry has lines, they sum to zero and carry the entry's date, checked at COMMIT
--    (deferred), once per entry: only the line with the highest id of its entry does the sum.
--    Tables are named in the trigger's own schema: a deferred check runs at commit, under whatever
--    search_path is current then (a multi-schema project may have moved on to another schema).
CREATE FUNCTION books_check_line_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_id bigint;
    total numeric;
    misdated boolean;
BEGIN
    EXECUTE format('SELECT max(id), sum(amount) FROM %I.books_journalline WHERE entry_id = $1', TG_TABLE_SCHEMA)
        INTO last_id, total USING NEW.entry_id;
    IF NEW.id <> last_id THEN
        RETURN NULL;
    END IF;
    IF total <> 0 THEN
        RAISE EXCEPTION 'books: lines of journal entry % sum to %, not 0', NEW.entry_id, total
            USING ERRCODE = 'check_violation';
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %1$I.books_journalline l JOIN %1$I.books_journalentry e'
                   ' ON e.id = l.entry_id WHERE l.entry_id = $1 AND l.date <> e.date)', TG_TABLE_SCHEMA)
        INTO misdated USING NEW.entry_id;
    IF misdated THEN
        RAISE EXCEPTION 'books: a line of journal entry % is not dated as its entry', NEW.entry_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER books_line_balanced
    AFTER INSERT ON books_journalline
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION books_check_line_balanced();

CREATE FUNCTION books_check_entry_has_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    has_lines boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.books_journalline WHERE entry_id = $1)', TG_TABLE_SCHEMA)
        INTO has_lines USING NEW.id;
    IF NOT has_lines THEN
        RAISE EXCEPTION 'books: journal entry % has no lines', NEW.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER books_entry_has_lines
    AFTER INSERT ON books_journalentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION books_check_entry_has_lines();

-- 3. A closed period takes no new entry. Closing a period locks the journal against inserts
--    (services.period_close), so no entry of a closing period slips in beside it.
CREATE FUNCTION books_check_period_open() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    closed date;
BEGIN
    EXECUTE format('SELECT max(closed_through) FROM %I.books_periodclose', TG_TABLE_SCHEMA) INTO closed;
    IF closed IS NOT NULL AND NEW.date <= closed THEN
        RAISE EXCEPTION 'books: the books are closed through %, an entry dated % is refused', closed, NEW.date
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER books_entry_period_open BEFORE INSERT ON books_journalentry
    FOR EACH ROW EXECUTE FUNCTION books_check_period_open();

-- 5. The invoice counter only goes up by one.
CREATE FUNCTION books_check_invoice_counter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.last_number <> OLD.last_number + 1 THEN
        RAISE EXCEPTION 'books: the invoice counter only counts up by one' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER books_invoicecounter_step BEFORE UPDATE OR DELETE ON books_invoicecounter
    FOR EACH ROW EXECUTE FUNCTION books_check_invoice_counter();

-- reverse:
DROP TRIGGER IF EXISTS books_invoicecounter_step ON books_invoicecounter;
DROP FUNCTION IF EXISTS books_check_invoice_counter();
DROP TRIGGER IF EXISTS books_entry_period_open ON books_journalentry;
DROP FUNCTION IF EXISTS books_check_period_open();
DROP TRIGGER IF EXISTS books_entry_has_lines ON books_journalentry;
DROP FUNCTION IF EXISTS books_check_entry_has_lines();
DROP TRIGGER IF EXISTS books_line_balanced ON books_journalline;
DROP FUNCTION IF EXISTS books_check_line_balanced();
ALTER TABLE books_invoicecounter DROP CONSTRAINT IF EXISTS books_invoicecounter_one_row;
ALTER TABLE books_booksprofile DROP CONSTRAINT IF EXISTS books_profile_one_row;
ALTER TABLE books_booksprofile DROP CONSTRAINT IF EXISTS books_profile_vat_rate;
ALTER TABLE books_vehiclesale DROP CONSTRAINT IF EXISTS books_vehiclesale_amounts;
ALTER TABLE books_vehiclecost DROP CONSTRAINT IF EXISTS books_vehiclecost_amount_positive;
ALTER TABLE books_journalline DROP CONSTRAINT IF EXISTS books_line_amount_nonzero;
