-- Ledger invariants held by the database itself, so raw SQL cannot break them.

-- 1. Every transaction's entries sum to zero, checked at COMMIT (deferred). Only the entry with
--    the highest id of its transaction does the full sum, so a 2,000-entry batch costs one sum.
CREATE FUNCTION wallet_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total numeric;
BEGIN
    IF NEW.id <> (SELECT max(id) FROM wallet_entry WHERE transaction_id = NEW.transaction_id) THEN
        RETURN NULL;
    END IF;
    SELECT sum(amount) INTO total FROM wallet_entry WHERE transaction_id = NEW.transaction_id;
    IF total <> 0 THEN
        RAISE EXCEPTION 'wallet: entries of transaction % sum to %, not 0', NEW.transaction_id, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER wallet_entry_balanced
    AFTER INSERT ON wallet_entry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION wallet_check_balanced();

-- 2. Append-only: no UPDATE or DELETE, ever.
CREATE FUNCTION wallet_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'wallet: % on % is not allowed, the ledger is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER wallet_entry_append_only BEFORE UPDATE OR DELETE ON wallet_entry
    FOR EACH ROW EXECUTE FUNCTION wallet_refuse_change();
CREATE TRIGGER wallet_transaction_append_only BEFORE UPDATE OR DELETE ON wallet_transaction
    FOR EACH ROW EXECUTE FUNCTION wallet_refuse_change();

-- 3. TRUNCATE skips row triggers, so refuse it too. The one escape hatch is a transaction-local
--    setting (SET LOCAL wallet.allow_truncate = 'on') used by test-database teardown.
CREATE FUNCTION wallet_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('wallet.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'wallet: TRUNCATE on % is not allowed, the ledger is append-only', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER wallet_entry_no_truncate BEFORE TRUNCATE ON wallet_entry
    FOR EACH STATEMENT EXECUTE FUNCTION wallet_refuse_truncate();
CREATE TRIGGER wallet_transaction_no_truncate BEFORE TRUNCATE ON wallet_transaction
    FOR EACH STATEMENT EXECUTE FUNCTION wallet_refuse_truncate();

-- reverse:
DROP TRIGGER IF EXISTS wallet_transaction_no_truncate ON wallet_transaction;
DROP TRIGGER IF EXISTS wallet_entry_no_truncate ON wallet_entry;
DROP FUNCTION IF EXISTS wallet_refuse_truncate();
DROP TRIGGER IF EXISTS wallet_transaction_append_only ON wallet_transaction;
DROP TRIGGER IF EXISTS wallet_entry_append_only ON wallet_entry;
DROP FUNCTION IF EXISTS wallet_refuse_change();
DROP TRIGGER IF EXISTS wallet_entry_balanced ON wallet_entry;
DROP FUNCTION IF EXISTS wallet_check_balanced();
