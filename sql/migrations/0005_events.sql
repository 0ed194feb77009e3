-- Events (issue 8): landing a fetch with a body to process NOTIFYs `wirefeed_fetches`, so the
-- event-driven process DAG starts without polling; the drop folder's content-hash lookups get an index.

-- Per statement, not per row: one notification per landing transaction, and none for a 304 or a
-- failure (no body, nothing to process). NOTIFY is delivered at commit, never for a rollback.
CREATE FUNCTION wirefeed_notify_fetches() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    landed bigint;
    last_id bigint;
BEGIN
    SELECT count(*), max(id) INTO landed, last_id FROM landed_fetches WHERE body IS NOT NULL;
    IF landed > 0 THEN
        PERFORM pg_notify('wirefeed_fetches', json_build_object('fetches', landed, 'last_id', last_id)::text);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER fetches_notify AFTER INSERT ON fetches
    REFERENCING NEW TABLE AS landed_fetches
    FOR EACH STATEMENT EXECUTE FUNCTION wirefeed_notify_fetches();

-- "Was this exact file already landed for this inbox?" is a lookup by (feed, hash).
CREATE INDEX fetches_feed_hash ON fetches (feed_id, content_hash);
