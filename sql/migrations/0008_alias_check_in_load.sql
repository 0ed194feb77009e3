-- Re-emitted items (issue 9): instead of the per-row trigger of 0004 (a PL/pgSQL call and two index probes for
-- every row inserted, about a tenth of the load), the load checks a whole batch at once, before its upsert,
-- with the same rules. A function, so the plan of this statement is cached for the session. Every writer of
-- items goes through wirefeed.load.
DROP TRIGGER items_alias_reemitted ON items;
DROP FUNCTION items_alias_reemitted();

-- The batch is the rows about to be upserted into one feed, in order (identity, content hash, whether the text
-- is long enough to tell two entries apart, guid, url). Rows whose identity is new and whose content the feed
-- already has are recorded as aliases of the oldest such item, which is marked seen; rows whose identity is
-- known with the same content are unchanged. Returns the positions (1-based) of both, which the upsert skips.
-- Rows count in order: an item an earlier row of the batch edits no longer has its old content. The caller
-- never sends two rows of one content in a batch (each of those must see the one before it).
CREATE FUNCTION items_divert_aliases(p_feed bigint, p_identities text[], p_hashes text[], p_long boolean[],
                                     p_guids text[], p_urls text[])
RETURNS TABLE (pos integer, aliased boolean) LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    WITH batch AS (
        SELECT b.n::integer AS n, b.identity, b.content_hash, b.long, b.guid, b.url
        FROM unnest(p_identities, p_hashes, p_long, p_guids, p_urls) WITH ORDINALITY
             AS b(identity, content_hash, long, guid, url, n)
    ), known AS (
        SELECT b.n, k.content_hash = b.content_hash AS same
        FROM batch b JOIN items k ON k.feed_id = p_feed AND k.identity = b.identity
    ), found AS (
        SELECT b.n, b.identity, b.guid, b.url, (
            SELECT e.id FROM items e
             WHERE e.feed_id = p_feed AND e.content_hash = b.content_hash
               AND NOT EXISTS (SELECT 1 FROM batch p
                                WHERE p.identity = e.identity AND p.n < b.n AND p.content_hash <> e.content_hash)
             ORDER BY e.id LIMIT 1) AS item_id
        FROM batch b
        WHERE b.long AND b.n NOT IN (SELECT known.n FROM known)
    ), aliases AS (
        SELECT * FROM found WHERE found.item_id IS NOT NULL
    ), recorded AS (
        INSERT INTO item_aliases AS a (item_id, feed_id, identity, guid, url)
        SELECT aliases.item_id, p_feed, aliases.identity, aliases.guid, aliases.url FROM aliases ORDER BY aliases.n
        ON CONFLICT (feed_id, identity) DO UPDATE SET last_seen_at = now()
    ), seen AS (
        UPDATE items s SET last_seen_at = now() WHERE s.id IN (SELECT aliases.item_id FROM aliases)
    )
    SELECT aliases.n, true FROM aliases
    UNION ALL
    SELECT known.n, false FROM known WHERE known.same;
END $$;
