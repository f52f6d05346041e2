-- wallet_charge_sale: a charge sale in one statement. It finds the selling account (p_account, or the
-- owner's account for p_purpose) and the named charge-sales account, posts the sale through wallet_post
-- (its locks, idempotency and refusals are the posting's), then writes the charge sale row and its
-- event (the kernel's outbox row, written by the kernel's forecourt_event_insert: the caller gives the
-- kind and the data, the account's id is added here). A replayed key returns the original sale. It
-- answers 'missing' when either account does not exist yet (the caller opens them and calls again) and
-- 'same_account' when they are one account, writing nothing in either case.
--
-- The idempotency fingerprint covers the posting's account ids, which only this function knows: the
-- caller passes the fingerprint's canonical text in three parts (before the selling account's id,
-- between the two ids, after the charge-sales account's id), hashed here as the caller hashes the
-- whole text (and returns it); NULL without a key.
--
-- When the posting moves accounts of the owner types a site follows (p_followed_types, with their
-- labels), it also writes the posting's event (p_posted_kind, p_posted_data) with the followed accounts'
-- entries, as the caller writes it for any other posting.
--
-- p_sold_by is polymorphic: the user model's key type (integer, bigint, uuid) is the caller's.
CREATE FUNCTION wallet_charge_sale(
    p_transaction uuid,
    p_sale uuid,
    p_event uuid,
    p_account bigint,
    p_owner_type integer,
    p_owner_id text,
    p_purpose text,
    p_system_name text,
    p_sold_by anyelement,
    p_phone text,
    p_amount numeric,
    p_memo text,
    p_metadata jsonb,
    p_scope text,
    p_key text,
    p_fingerprint text[],
    p_event_kind text,
    p_event_data jsonb,
    p_followed_types integer[],
    p_followed_labels text[],
    p_posted_event uuid,
    p_posted_kind text,
    p_posted_data jsonb,
    p_route text,
    p_request_id text,
    p_now timestamptz
) RETURNS TABLE (outcome text, code text, message text, sale_id uuid, account_id bigint, sold_by_id anyelement,
                 phone text, amount numeric, transaction_id uuid, created_at timestamptz, fingerprint text)
LANGUAGE plpgsql AS $$
DECLARE
    v_account bigint := p_account;
    v_system bigint;
    v_fingerprint text := '';
    v_entries jsonb;
    r record;
BEGIN
    IF v_account IS NULL THEN
        SELECT a.id INTO v_account FROM wallet_account a
         WHERE a.owner_type_id = p_owner_type AND a.owner_id = p_owner_id AND a.purpose = p_purpose;
    END IF;
    SELECT a.id INTO v_system FROM wallet_account a WHERE a.owner_type_id IS NULL AND a.name = p_system_name;
    IF v_account IS NULL OR v_system IS NULL THEN
        outcome := 'missing';
        RETURN NEXT;
        RETURN;
    ELSIF v_account = v_system THEN
        outcome := 'same_account';
        RETURN NEXT;
        RETURN;
    END IF;
    IF p_fingerprint IS NOT NULL THEN
        v_fingerprint := encode(sha256(convert_to(
            p_fingerprint[1] || v_account || p_fingerprint[2] || v_system || p_fingerprint[3], 'UTF8')), 'hex');
    END IF;

    SELECT * INTO r FROM wallet_post(p_transaction, 'charge_sale', p_memo, p_metadata, p_scope, p_key,
                                     v_fingerprint, NULL, ARRAY[v_account, v_system],
                                     ARRAY[-p_amount, p_amount], p_now);
    fingerprint := v_fingerprint;
    outcome := r.outcome;
    code := r.code;
    message := r.message;
    transaction_id := r.transaction_id;
    IF r.outcome = 'posted' THEN
        INSERT INTO wallet_chargesale (id, account_id, sold_by_id, phone, amount, transaction_id, created_at)
        VALUES (p_sale, v_account, p_sold_by, p_phone, p_amount, p_transaction, p_now);
        PERFORM forecourt_event_insert(p_event, p_event_kind,
                                       p_event_data || jsonb_build_object('account_id', v_account),
                                       p_route, p_request_id, p_now);
        IF p_followed_types IS NOT NULL THEN
            SELECT jsonb_agg(jsonb_build_object('account_id', p.id, 'owner', f.label, 'owner_id', o.owner_id,
                                                'amount', p.amount::text) ORDER BY p.n)
              INTO v_entries
              FROM unnest(ARRAY[v_account, v_system], ARRAY[-p_amount, p_amount]) WITH ORDINALITY AS p(id, amount, n)
              JOIN unnest(r.account_ids, r.owner_type_ids, r.owner_ids) AS o(id, type_id, owner_id) ON o.id = p.id
              JOIN unnest(p_followed_types, p_followed_labels) AS f(type_id, label) ON f.type_id = o.type_id;
            IF v_entries IS NOT NULL THEN
                PERFORM forecourt_event_insert(p_posted_event, p_posted_kind,
                                               p_posted_data || jsonb_build_object('entries', v_entries),
                                               p_route, p_request_id, p_now);
            END IF;
        END IF;
        sale_id := p_sale;
        account_id := v_account;
        sold_by_id := p_sold_by;
        phone := p_phone;
        amount := p_amount;
        created_at := p_now;
    ELSIF r.outcome = 'replayed' AND r.code IS NULL THEN
        SELECT s.id, s.account_id, s.sold_by_id, s.phone, s.amount, s.created_at
          INTO sale_id, account_id, sold_by_id, phone, amount, created_at
          FROM wallet_chargesale s WHERE s.transaction_id = r.transaction_id;
    END IF;
    RETURN NEXT;
END;
$$;

-- reverse:
DROP FUNCTION wallet_charge_sale(uuid, uuid, uuid, bigint, integer, text, text, text, anyelement, text, numeric,
                                 text, jsonb, text, text, text[], text, jsonb, integer[], text[], uuid, text, jsonb,
                                 text, text, timestamptz);
