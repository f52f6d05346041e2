-- wallet_post_each: many two-leg postings (transfers, charge sales) in one statement, each its own
-- transaction with its own idempotency key and its own outcome (one row per posting, in order).
--
-- Every account of every posting is locked first, in ascending id order, so a batch takes its
-- locks in the same global order as every other writer; each posting then goes through wallet_post
-- (0005), whose own locks are already held. A refused posting writes nothing and the others go on;
-- the caller decides whether one refusal undoes the whole batch (by rolling back).
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

-- reverse:
DROP FUNCTION IF EXISTS wallet_post_each(uuid[], text[], text[], jsonb[], text, text[], text[], bigint[], bigint[],
                                         numeric[], timestamptz);
