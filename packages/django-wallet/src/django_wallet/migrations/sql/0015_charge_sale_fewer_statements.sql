-- wallet_charge_sale with 0011's contract, arguments, outcomes and rows: one statement finds both accounts, and
-- PL/pgSQL expressions build the posting event's entries from wallet_post's arrays (each statement a PL/pgSQL
-- function runs pays an executor start and end; an expression without a table is evaluated directly).
CREATE OR REPLACE FUNCTION wallet_charge_sale(
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
    v_account bigint;
    v_system bigint;
    v_fingerprint text := '';
    v_entries jsonb;
    v_legs bigint[];
    v_amounts numeric[];
    j int;
    k int;
    r record;
BEGIN
    -- Both accounts in one statement (the owner's look-up runs only without p_account).
    SELECT coalesce(p_account, (SELECT a.id FROM wallet_account a
                                 WHERE a.owner_type_id = p_owner_type AND a.owner_id = p_owner_id
                                   AND a.purpose = p_purpose)),
           (SELECT a.id FROM wallet_account a WHERE a.owner_type_id IS NULL AND a.name = p_system_name)
      INTO v_account, v_system;
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
            -- The followed legs' entries, in posting order: expressions over the posting's arrays, no query.
            v_legs := ARRAY[v_account, v_system];
            v_amounts := ARRAY[-p_amount, p_amount];
            FOR i IN 1 .. 2 LOOP
                j := array_position(r.account_ids, v_legs[i]);
                k := array_position(p_followed_types, r.owner_type_ids[j]);
                IF r.owner_type_ids[j] IS NOT NULL AND k IS NOT NULL THEN
                    v_entries := coalesce(v_entries, '[]'::jsonb) || jsonb_build_array(jsonb_build_object(
                        'account_id', v_legs[i], 'owner', p_followed_labels[k], 'owner_id', r.owner_ids[j],
                        'amount', v_amounts[i]::text));
                END IF;
            END LOOP;
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

