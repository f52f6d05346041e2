-- forecourt_event_insert: one new event row, as services.event_record writes it (pending, no key, no
-- attempts, available and created at p_now, never claimed or delivered). p_id, p_data (a JSON object),
-- p_route and p_request_id come from services.event_values; the caller calls services.event_recorded()
-- once its statement has run.
CREATE FUNCTION forecourt_event_insert(
    p_id uuid,
    p_kind text,
    p_data jsonb,
    p_route text,
    p_request_id text,
    p_now timestamptz
) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO forecourt_events_event (id, kind, data, route, request_id, key, status, attempts, available_at,
                                        claimed_at, delivered_at, last_error, created_at)
    VALUES (p_id, p_kind, p_data, p_route, p_request_id, '', 'pending', 0, p_now, NULL, NULL, '', p_now);
$$;

-- reverse:
DROP FUNCTION forecourt_event_insert(uuid, text, jsonb, text, text, timestamptz);
