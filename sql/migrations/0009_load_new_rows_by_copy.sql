-- New rows by COPY (issue 9): the batch check of 0008 also names the known rows whose content changed, so the
-- load knows every other row it returns nothing for is new. Those need no ON CONFLICT (which cost about a third
-- more server time per row than COPY): the load COPYs them and upserts only the changed ones.
-- Returns (position, fate) with fate 'alias' (recorded as an alias, skipped), 'unchanged' (skipped) or 'changed'
-- (to update); rules otherwise as in 0008.
DROP FUNCTION IF EXISTS items_divert_aliases(bigint, text[], text[], boolean[], text[], text[]);

CREATE FUNCTION items_divert_aliases(p_feed bigint, p_identities text[], p_hashes text[], p_long boolean[],
                                     p_guids text[], p_urls text[])
RETURNS TABLE (pos integer, fate text) LANGUAGE plpgsql AS $$
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
    SELECT aliases.n, 'alias' FROM aliases
    UNION ALL
    SELECT known.n, CASE WHEN known.same THEN 'unchanged' ELSE 'changed' END FROM known;
END $$;
