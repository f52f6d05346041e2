-- forecourt_event_insert in PL/pgSQL: the same signature, row and contract as 0003's. A SQL-language function
-- called from PL/pgSQL is parsed, analysed and planned again on every call (its plan lives only as long as the
-- calling statement); PL/pgSQL keeps its INSERT's plan for the session.
CREATE OR REPLACE FUNCTION forecourt_event_insert(
    p_id uuid,
    p_kind text,
    p_data jsonb,
    p_route text,
    p_request_id text,
    p_now timestamptz
) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO forecourt_events_event (id, kind, data, route, request_id, key, status, attempts, available_at,
                                        claimed_at, delivered_at, last_error, created_at)
    VALUES (p_id, p_kind, p_data, p_route, p_request_id, '', 'pending', 0, p_now, NULL, NULL, '', p_now);
END;
$$;
