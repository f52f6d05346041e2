-- wallet_post with the contract, rules and order of outcomes of 0005, 0007 and 0012, and the settings of 0009 and
-- 0010:
-- - the accounts are locked FOR NO KEY UPDATE in ascending id order, the lock the balance UPDATE takes anyway: a
--   posting changes no key of its accounts, so another transaction's foreign-key check on one of them (FOR KEY
--   SHARE, taken at the COMMIT of a row that references the account) does not wait for the posting, and the
--   UPDATE finds the lock it needs already held. The services lock accounts the same way, in the same order
--   (lock_accounts, batches, account_set_status), so writers exclude each other without deadlocks;
-- - a posted row is returned from the function's output variables (RETURN NEXT);
-- - the storable limit is a literal (1e16), and a transfer's two accounts are counted by comparing their ids.
CREATE OR REPLACE FUNCTION wallet_post(
    p_id uuid,
    p_kind text,
    p_memo text,
    p_metadata jsonb,
    p_scope text,
    p_key text,
    p_fingerprint text,
    p_reverses uuid,
    p_accounts bigint[],
    p_amounts numeric[],
    p_now timestamptz
) RETURNS TABLE (outcome text, transaction_id uuid, code text, message text, account_ids bigint[],
                owner_type_ids integer[], owner_ids text[])
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
DECLARE
    n_distinct int;
    n_legs int := coalesce(cardinality(p_accounts), 0);
    n_currencies int;
    any_frozen boolean;
    locked_ids bigint[];
    locked_types integer[];
    locked_owners text[];
    balances numeric[];
    overdraft boolean[];
    opening numeric[];
    afters numeric[];
    debited bigint[];
    debited_after numeric[];
    j int;
    refused text;
    inserted uuid;
    found_id uuid;
    found_fingerprint text;
    found_code text;
    found_message text;
BEGIN
    -- Before the locks: the key's earlier outcome, and the number of accounts the posting names.
    IF p_key IS NOT NULL THEN
        SELECT t.id, t.fingerprint INTO found_id, found_fingerprint
          FROM wallet_transaction t WHERE t.idempotency_scope = p_scope AND t.idempotency_key = p_key;
        IF found_id IS NULL THEN
            SELECT f.fingerprint, f.code, f.message INTO found_fingerprint, found_code, found_message
              FROM wallet_idempotencyfailure f WHERE f.idempotency_scope = p_scope AND f.idempotency_key = p_key;
        END IF;
        IF found_fingerprint <> p_fingerprint THEN
            RETURN QUERY SELECT 'refused', NULL::uuid, 'idempotency_conflict', NULL::text, NULL::bigint[], NULL::integer[], NULL::text[];
            RETURN;
        ELSIF found_fingerprint IS NOT NULL THEN
            RETURN QUERY SELECT 'replayed', found_id, found_code, found_message, NULL::bigint[], NULL::integer[], NULL::text[];
            RETURN;
        END IF;
    END IF;
    -- A transfer's two accounts are counted by comparing their ids, any other posting's by a query.
    IF n_legs = 2 AND p_accounts[1] IS NOT NULL AND p_accounts[2] IS NOT NULL THEN
        n_distinct := CASE WHEN p_accounts[1] = p_accounts[2] THEN 1 ELSE 2 END;
    ELSE
        n_distinct := (SELECT count(DISTINCT x) FROM unnest(p_accounts) AS x);
    END IF;

    SELECT count(DISTINCT l.currency), coalesce(bool_or(l.status = 'frozen'), false),
           array_agg(l.id), array_agg(l.owner_type_id), array_agg(l.owner_id), array_agg(l.balance),
           array_agg(l.allow_overdraft)
      INTO n_currencies, any_frozen, locked_ids, locked_types, locked_owners, balances, overdraft
      FROM (SELECT a.id, a.currency, a.status, a.owner_type_id, a.owner_id, a.balance, a.allow_overdraft
              FROM wallet_account a WHERE a.id = ANY (p_accounts) ORDER BY a.id FOR NO KEY UPDATE) AS l;
    IF coalesce(cardinality(locked_ids), 0) <> n_distinct THEN
        refused := 'account_not_found';
    ELSIF n_currencies > 1 THEN
        refused := 'currency_mismatch';
    ELSIF any_frozen THEN
        refused := 'account_frozen';
    ELSE
        -- Each entry's balance_after: its account's balance plus the running sum of its postings, in posting order.
        opening := balances;
        afters := p_amounts;
        FOR i IN 1 .. n_legs LOOP
            j := array_position(locked_ids, p_accounts[i]);
            balances[j] := balances[j] + p_amounts[i];
            afters[i] := balances[j];
        END LOOP;
        -- A debited account short of funds is refused as such even when its balance would also pass the
        -- storable limit: insufficient_funds (checked below) outranks balance_limit, as in 0007.
        FOR k IN 1 .. n_distinct LOOP
            IF balances[k] < opening[k] AND NOT overdraft[k] THEN
                debited := debited || locked_ids[k];
                debited_after := debited_after || balances[k];
            END IF;
            IF abs(balances[k]) >= 1e16 THEN
                refused := 'balance_limit';
            END IF;
        END LOOP;
        -- Holds count against a debited account's funds (not an overdraft account's).
        IF debited IS NOT NULL AND EXISTS (
            SELECT 1 FROM unnest(debited, debited_after) AS d(id, after)
             WHERE d.after < coalesce((SELECT sum(h.amount) FROM wallet_hold h
                                        WHERE h.account_id = d.id AND h.status = 'active'
                                          AND (h.expires_at IS NULL OR h.expires_at > p_now)), 0)) THEN
            refused := 'insufficient_funds';
        END IF;
        IF refused IS NULL THEN
            INSERT INTO wallet_transaction
                   (id, kind, memo, metadata, idempotency_scope, idempotency_key, fingerprint, reverses_id, created_at)
            VALUES (p_id, p_kind, p_memo, p_metadata, p_scope, p_key, p_fingerprint, p_reverses, p_now)
            ON CONFLICT DO NOTHING
            RETURNING id INTO inserted;
            IF inserted IS NOT NULL THEN
                INSERT INTO wallet_entry (transaction_id, account_id, amount, balance_after, created_at)
                SELECT p_id, u.account_id, u.amount, u.after, p_now
                  FROM unnest(p_accounts, p_amounts, afters) WITH ORDINALITY AS u(account_id, amount, after, n)
                 ORDER BY u.n;
                UPDATE wallet_account a SET balance = u.balance
                  FROM unnest(locked_ids, balances) AS u(id, balance)
                 WHERE a.id = u.id AND a.balance IS DISTINCT FROM u.balance;
                outcome := 'posted';
                transaction_id := p_id;
                account_ids := locked_ids;
                owner_type_ids := locked_types;
                owner_ids := locked_owners;
                RETURN NEXT;
                RETURN;
            END IF;
        END IF;
    END IF;

    -- Refused, or the INSERT met an existing row: a racing identical request may have posted (or been refused)
    -- since the look-up above; under the locks its commit is visible, and its outcome is this request's.
    IF p_key IS NOT NULL THEN
        SELECT t.id, t.fingerprint INTO found_id, found_fingerprint
          FROM wallet_transaction t WHERE t.idempotency_scope = p_scope AND t.idempotency_key = p_key;
        IF found_id IS NULL THEN
            SELECT f.fingerprint, f.code, f.message INTO found_fingerprint, found_code, found_message
              FROM wallet_idempotencyfailure f WHERE f.idempotency_scope = p_scope AND f.idempotency_key = p_key;
        END IF;
        IF found_fingerprint <> p_fingerprint THEN
            RETURN QUERY SELECT 'refused', NULL::uuid, 'idempotency_conflict', NULL::text, NULL::bigint[], NULL::integer[], NULL::text[];
            RETURN;
        ELSIF found_fingerprint IS NOT NULL THEN
            RETURN QUERY SELECT 'replayed', found_id, found_code, found_message, NULL::bigint[], NULL::integer[], NULL::text[];
            RETURN;
        END IF;
    END IF;
    IF refused IS NOT NULL THEN
        RETURN QUERY SELECT 'refused', NULL::uuid, refused, NULL::text, NULL::bigint[], NULL::integer[], NULL::text[];
        RETURN;
    END IF;
    -- The conflict was the id's or, for a reversal, the reversed transaction's.
    IF p_reverses IS NOT NULL THEN
        RETURN QUERY SELECT 'refused', NULL::uuid, 'already_reversed', NULL::text, NULL::bigint[], NULL::integer[], NULL::text[];
        RETURN;
    END IF;
    RAISE EXCEPTION 'wallet: transaction % already exists', p_id USING ERRCODE = 'unique_violation';
END;
$$;
