-- wallet_post (0005) also returns, for a posted transaction, the locked accounts' ids with their owners
-- (owner_type_id, owner_id): what the caller needs to tell whether a followed owner's account moved,
-- without reading the accounts again; so does wallet_post_each (0006) for each posting. The rules are
-- those of 0005 and 0006.
DROP FUNCTION wallet_post(uuid, text, text, jsonb, text, text, text, uuid, bigint[], numeric[], timestamptz);

CREATE FUNCTION wallet_post(
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
LANGUAGE plpgsql AS $$
DECLARE
    n_locked int;
    n_currencies int;
    any_frozen boolean;
    locked_ids bigint[];
    locked_types integer[];
    locked_owners text[];
    short_of_funds boolean;
    beyond_limit boolean;
    inserted uuid;
    found_id uuid;
    found_fingerprint text;
    found_code text;
    found_message text;
BEGIN
    SELECT count(*), count(DISTINCT l.currency), coalesce(bool_or(l.status = 'frozen'), false),
           array_agg(l.id), array_agg(l.owner_type_id), array_agg(l.owner_id)
      INTO n_locked, n_currencies, any_frozen, locked_ids, locked_types, locked_owners
      FROM (SELECT a.id, a.currency, a.status, a.owner_type_id, a.owner_id FROM wallet_account a
             WHERE a.id = ANY (p_accounts) ORDER BY a.id FOR UPDATE) AS l;

    IF p_key IS NOT NULL THEN
        SELECT t.id, t.fingerprint INTO found_id, found_fingerprint
          FROM wallet_transaction t WHERE t.idempotency_scope = p_scope AND t.idempotency_key = p_key;
        IF found_id IS NOT NULL THEN
            IF found_fingerprint <> p_fingerprint THEN
                RETURN QUERY SELECT 'refused', NULL::uuid, 'idempotency_conflict', NULL::text, NULL::bigint[], NULL::integer[], NULL::text[];
            ELSE
                RETURN QUERY SELECT 'replayed', found_id, NULL::text, NULL::text, NULL::bigint[], NULL::integer[], NULL::text[];
            END IF;
            RETURN;
        END IF;
        SELECT f.fingerprint, f.code, f.message INTO found_fingerprint, found_code, found_message
          FROM wallet_idempotencyfailure f WHERE f.idempotency_scope = p_scope AND f.idempotency_key = p_key;
        IF found_code IS NOT NULL THEN
            IF found_fingerprint <> p_fingerprint THEN
                RETURN QUERY SELECT 'refused', NULL::uuid, 'idempotency_conflict', NULL::text, NULL::bigint[], NULL::integer[], NULL::text[];
            ELSE
                RETURN QUERY SELECT 'replayed', NULL::uuid, found_code, found_message, NULL::bigint[], NULL::integer[], NULL::text[];
            END IF;
            RETURN;
        END IF;
    END IF;

    IF n_locked <> (SELECT count(DISTINCT x) FROM unnest(p_accounts) AS x) THEN
        RETURN QUERY SELECT 'refused', NULL::uuid, 'account_not_found', NULL::text, NULL::bigint[], NULL::integer[], NULL::text[];
        RETURN;
    ELSIF n_currencies > 1 THEN
        RETURN QUERY SELECT 'refused', NULL::uuid, 'currency_mismatch', NULL::text, NULL::bigint[], NULL::integer[], NULL::text[];
        RETURN;
    ELSIF any_frozen THEN
        RETURN QUERY SELECT 'refused', NULL::uuid, 'account_frozen', NULL::text, NULL::bigint[], NULL::integer[], NULL::text[];
        RETURN;
    END IF;

    SELECT coalesce(bool_or(n.net < 0 AND NOT a.allow_overdraft AND a.balance + n.net - coalesce(
               (SELECT sum(h.amount) FROM wallet_hold h
                 WHERE h.account_id = a.id AND h.status = 'active'
                   AND (h.expires_at IS NULL OR h.expires_at > p_now)), 0) < 0), false),
           coalesce(bool_or(abs(a.balance + n.net) >= 10::numeric ^ 16), false)
      INTO short_of_funds, beyond_limit
      FROM (SELECT u.account_id, sum(u.amount) AS net
              FROM unnest(p_accounts, p_amounts) AS u(account_id, amount) GROUP BY u.account_id) AS n
      JOIN wallet_account a ON a.id = n.account_id;
    IF short_of_funds THEN
        RETURN QUERY SELECT 'refused', NULL::uuid, 'insufficient_funds', NULL::text, NULL::bigint[], NULL::integer[], NULL::text[];
        RETURN;
    ELSIF beyond_limit THEN
        RETURN QUERY SELECT 'refused', NULL::uuid, 'balance_limit', NULL::text, NULL::bigint[], NULL::integer[], NULL::text[];
        RETURN;
    END IF;

    INSERT INTO wallet_transaction
           (id, kind, memo, metadata, idempotency_scope, idempotency_key, fingerprint, reverses_id, created_at)
    VALUES (p_id, p_kind, p_memo, p_metadata, p_scope, p_key, p_fingerprint, p_reverses, p_now)
    ON CONFLICT DO NOTHING
    RETURNING id INTO inserted;
    IF inserted IS NULL THEN
        IF p_key IS NOT NULL THEN
            SELECT t.id, t.fingerprint INTO found_id, found_fingerprint
              FROM wallet_transaction t WHERE t.idempotency_scope = p_scope AND t.idempotency_key = p_key;
            IF found_id IS NOT NULL AND found_fingerprint = p_fingerprint THEN
                RETURN QUERY SELECT 'replayed', found_id, NULL::text, NULL::text, NULL::bigint[], NULL::integer[], NULL::text[];
                RETURN;
            ELSIF found_id IS NOT NULL THEN
                RETURN QUERY SELECT 'refused', NULL::uuid, 'idempotency_conflict', NULL::text, NULL::bigint[], NULL::integer[], NULL::text[];
                RETURN;
            END IF;
        END IF;
        IF p_reverses IS NOT NULL THEN
            RETURN QUERY SELECT 'refused', NULL::uuid, 'already_reversed', NULL::text, NULL::bigint[], NULL::integer[], NULL::text[];
            RETURN;
        END IF;
        RAISE EXCEPTION 'wallet: transaction % already exists', p_id USING ERRCODE = 'unique_violation';
    END IF;

    -- Each entry's balance_after is the account's balance plus the running sum of its postings in
    -- posting order; the UPDATE reads the same pre-update snapshot, so it adds the net once.
    WITH posted AS (
        SELECT u.account_id, u.amount, u.n
          FROM unnest(p_accounts, p_amounts) WITH ORDINALITY AS u(account_id, amount, n)
    ), entries AS (
        INSERT INTO wallet_entry (transaction_id, account_id, amount, balance_after, created_at)
        SELECT p_id, p.account_id, p.amount,
               a.balance + sum(p.amount) OVER (PARTITION BY p.account_id ORDER BY p.n), p_now
          FROM posted p JOIN wallet_account a ON a.id = p.account_id
         ORDER BY p.n
        RETURNING 1
    )
    UPDATE wallet_account a SET balance = a.balance + n.net
      FROM (SELECT p.account_id, sum(p.amount) AS net FROM posted p GROUP BY p.account_id) AS n
     WHERE a.id = n.account_id;

    RETURN QUERY SELECT 'posted', p_id, NULL::text, NULL::text, locked_ids, locked_types, locked_owners;
END;
$$;

DROP FUNCTION wallet_post_each(uuid[], text[], text[], jsonb[], text, text[], text[], bigint[], bigint[], numeric[],
                               timestamptz);

CREATE FUNCTION wallet_post_each(
    p_ids uuid[],
    p_kinds text[],
    p_memos text[],
    p_metadata jsonb[],
    p_scope text,
    p_keys text[],
    p_fingerprints text[],
    p_sources bigint[],
    p_destinations bigint[],
    p_amounts numeric[],
    p_now timestamptz
) RETURNS TABLE (n int, outcome text, transaction_id uuid, code text, message text, account_ids bigint[],
                owner_type_ids integer[], owner_ids text[])
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM (SELECT a.id FROM wallet_account a
                     WHERE a.id = ANY (p_sources || p_destinations) ORDER BY a.id FOR UPDATE) AS l;
    FOR i IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
        RETURN QUERY
            SELECT i, r.outcome, r.transaction_id, r.code, r.message, r.account_ids, r.owner_type_ids, r.owner_ids
              FROM wallet_post(p_ids[i], p_kinds[i], p_memos[i], p_metadata[i], p_scope, p_keys[i],
                               p_fingerprints[i], NULL, ARRAY[p_sources[i], p_destinations[i]],
                               ARRAY[-p_amounts[i], p_amounts[i]], p_now) AS r;
    END LOOP;
END;
$$;

-- reverse:
DROP FUNCTION wallet_post_each(uuid[], text[], text[], jsonb[], text, text[], text[], bigint[], bigint[], numeric[],
                               timestamptz);
DROP FUNCTION wallet_post(uuid, text, text, jsonb, text, text, text, uuid, bigint[], numeric[], timestamptz);
CREATE FUNCTION wallet_post(
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
) RETURNS TABLE (outcome text, transaction_id uuid, code text, message text)
LANGUAGE plpgsql AS $$
DECLARE
    n_locked int;
    n_currencies int;
    any_frozen boolean;
    short_of_funds boolean;
    beyond_limit boolean;
    inserted uuid;
    found_id uuid;
    found_fingerprint text;
    found_code text;
    found_message text;
BEGIN
    SELECT count(*), count(DISTINCT l.currency), coalesce(bool_or(l.status = 'frozen'), false)
      INTO n_locked, n_currencies, any_frozen
      FROM (SELECT a.currency, a.status FROM wallet_account a
             WHERE a.id = ANY (p_accounts) ORDER BY a.id FOR UPDATE) AS l;

    IF p_key IS NOT NULL THEN
        SELECT t.id, t.fingerprint INTO found_id, found_fingerprint
          FROM wallet_transaction t WHERE t.idempotency_scope = p_scope AND t.idempotency_key = p_key;
        IF found_id IS NOT NULL THEN
            IF found_fingerprint <> p_fingerprint THEN
                RETURN QUERY SELECT 'refused', NULL::uuid, 'idempotency_conflict', NULL::text;
            ELSE
                RETURN QUERY SELECT 'replayed', found_id, NULL::text, NULL::text;
            END IF;
            RETURN;
        END IF;
        SELECT f.fingerprint, f.code, f.message INTO found_fingerprint, found_code, found_message
          FROM wallet_idempotencyfailure f WHERE f.idempotency_scope = p_scope AND f.idempotency_key = p_key;
        IF found_code IS NOT NULL THEN
            IF found_fingerprint <> p_fingerprint THEN
                RETURN QUERY SELECT 'refused', NULL::uuid, 'idempotency_conflict', NULL::text;
            ELSE
                RETURN QUERY SELECT 'replayed', NULL::uuid, found_code, found_message;
            END IF;
            RETURN;
        END IF;
    END IF;

    IF n_locked <> (SELECT count(DISTINCT x) FROM unnest(p_accounts) AS x) THEN
        RETURN QUERY SELECT 'refused', NULL::uuid, 'account_not_found', NULL::text;
        RETURN;
    ELSIF n_currencies > 1 THEN
        RETURN QUERY SELECT 'refused', NULL::uuid, 'currency_mismatch', NULL::text;
        RETURN;
    ELSIF any_frozen THEN
        RETURN QUERY SELECT 'refused', NULL::uuid, 'account_frozen', NULL::text;
        RETURN;
    END IF;

    SELECT coalesce(bool_or(n.net < 0 AND NOT a.allow_overdraft AND a.balance + n.net - coalesce(
               (SELECT sum(h.amount) FROM wallet_hold h
                 WHERE h.account_id = a.id AND h.status = 'active'
                   AND (h.expires_at IS NULL OR h.expires_at > p_now)), 0) < 0), false),
           coalesce(bool_or(abs(a.balance + n.net) >= 10::numeric ^ 16), false)
      INTO short_of_funds, beyond_limit
      FROM (SELECT u.account_id, sum(u.amount) AS net
              FROM unnest(p_accounts, p_amounts) AS u(account_id, amount) GROUP BY u.account_id) AS n
      JOIN wallet_account a ON a.id = n.account_id;
    IF short_of_funds THEN
        RETURN QUERY SELECT 'refused', NULL::uuid, 'insufficient_funds', NULL::text;
        RETURN;
    ELSIF beyond_limit THEN
        RETURN QUERY SELECT 'refused', NULL::uuid, 'balance_limit', NULL::text;
        RETURN;
    END IF;

    INSERT INTO wallet_transaction
           (id, kind, memo, metadata, idempotency_scope, idempotency_key, fingerprint, reverses_id, created_at)
    VALUES (p_id, p_kind, p_memo, p_metadata, p_scope, p_key, p_fingerprint, p_reverses, p_now)
    ON CONFLICT DO NOTHING
    RETURNING id INTO inserted;
    IF inserted IS NULL THEN
        IF p_key IS NOT NULL THEN
            SELECT t.id, t.fingerprint INTO found_id, found_fingerprint
              FROM wallet_transaction t WHERE t.idempotency_scope = p_scope AND t.idempotency_key = p_key;
            IF found_id IS NOT NULL AND found_fingerprint = p_fingerprint THEN
                RETURN QUERY SELECT 'replayed', found_id, NULL::text, NULL::text;
                RETURN;
            ELSIF found_id IS NOT NULL THEN
                RETURN QUERY SELECT 'refused', NULL::uuid, 'idempotency_conflict', NULL::text;
                RETURN;
            END IF;
        END IF;
        IF p_reverses IS NOT NULL THEN
            RETURN QUERY SELECT 'refused', NULL::uuid, 'already_reversed', NULL::text;
            RETURN;
        END IF;
        RAISE EXCEPTION 'wallet: transaction % already exists', p_id USING ERRCODE = 'unique_violation';
    END IF;

    -- Each entry's balance_after is the account's balance plus the running sum of its postings in
    -- posting order; the UPDATE reads the same pre-update snapshot, so it adds the net once.
    WITH posted AS (
        SELECT u.account_id, u.amount, u.n
          FROM unnest(p_accounts, p_amounts) WITH ORDINALITY AS u(account_id, amount, n)
    ), entries AS (
        INSERT INTO wallet_entry (transaction_id, account_id, amount, balance_after, created_at)
        SELECT p_id, p.account_id, p.amount,
               a.balance + sum(p.amount) OVER (PARTITION BY p.account_id ORDER BY p.n), p_now
          FROM posted p JOIN wallet_account a ON a.id = p.account_id
         ORDER BY p.n
        RETURNING 1
    )
    UPDATE wallet_account a SET balance = a.balance + n.net
      FROM (SELECT p.account_id, sum(p.amount) AS net FROM posted p GROUP BY p.account_id) AS n
     WHERE a.id = n.account_id;

    RETURN QUERY SELECT 'posted', p_id, NULL::text, NULL::text;
END;
$$;

CREATE FUNCTION wallet_post_each(
    p_ids uuid[],
    p_kinds text[],
    p_memos text[],
    p_metadata jsonb[],
    p_scope text,
    p_keys text[],
    p_fingerprints text[],
    p_sources bigint[],
    p_destinations bigint[],
    p_amounts numeric[],
    p_now timestamptz
) RETURNS TABLE (n int, outcome text, transaction_id uuid, code text, message text)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM (SELECT a.id FROM wallet_account a
                     WHERE a.id = ANY (p_sources || p_destinations) ORDER BY a.id FOR UPDATE) AS l;
    FOR i IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
        RETURN QUERY
            SELECT i, r.outcome, r.transaction_id, r.code, r.message
              FROM wallet_post(p_ids[i], p_kinds[i], p_memos[i], p_metadata[i], p_scope, p_keys[i],
                               p_fingerprints[i], NULL, ARRAY[p_sources[i], p_destinations[i]],
                               ARRAY[-p_amounts[i], p_amounts[i]], p_now) AS r;
    END LOOP;
END;
$$;
