-- Several fetches in one load (issue 9): the batch check of 0009 takes a feed per row, so one statement checks the
-- rows of every fetch of a batch, whichever feeds they come from. Rules as in 0009, each row against its own
-- feed: aliases, known identities and the rows an earlier row of the batch edits are all per feed (the same
-- content in two feeds is two items). The caller never sends two rows of one feed with one content or one
-- identity in a statement (the later one must see the earlier one written).
-- Returns (position, fate) with fate 'alias' (recorded as an alias, skipped), 'unchanged' (skipped) or 'changed'
-- (to update); every other row is new. The one-feed function of 0009 has no caller left.
DROP FUNCTION items_divert_aliases(bigint, text[], text[], boolean[], text[], text[]);

CREATE FUNCTION items_divert_aliases(p_feeds bigint[], p_identities text[], p_hashes text[], p_long boolean[],
                                     p_guids text[], p_urls text[])
RETURNS TABLE (pos integer, fate text) LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    WITH batch AS (
        SELECT b.n::integer AS n, b.feed_id, b.identity, b.content_hash, b.long, b.guid, b.url
        FROM unnest(p_feeds, p_identities, p_hashes, p_long, p_guids, p_urls) WITH ORDINALITY
             AS b(feed_id, identity, content_hash, long, guid, url, n)
    ), known AS (
        -- One index probe per row, whatever the plan: a hash join would read every item of every feed.
        SELECT b.n, k.content_hash = b.content_hash AS same
        FROM batch b CROSS JOIN LATERAL (
            SELECT k.content_hash FROM items k WHERE k.feed_id = b.feed_id AND k.identity = b.identity LIMIT 1) k
    ), found AS (
        SELECT b.n, b.feed_id, b.identity, b.guid, b.url, (
            SELECT e.id FROM items e
             WHERE e.feed_id = b.feed_id AND e.content_hash = b.content_hash
               AND NOT EXISTS (SELECT 1 FROM batch p
                                WHERE p.feed_id = e.feed_id AND p.identity = e.identity AND p.n < b.n
                                  AND p.content_hash <> e.content_hash)
             ORDER BY e.id LIMIT 1) AS item_id
        FROM batch b
        WHERE b.long AND b.n NOT IN (SELECT known.n FROM known)
    ), aliases AS (
        SELECT * FROM found WHERE found.item_id IS NOT NULL
    ), recorded AS (
        INSERT INTO item_aliases AS a (item_id, feed_id, identity, guid, url)
        SELECT aliases.item_id, aliases.feed_id, aliases.identity, aliases.guid, aliases.url FROM aliases
        ORDER BY aliases.n
        ON CONFLICT (feed_id, identity) DO UPDATE SET last_seen_at = now()
    ), seen AS (
        UPDATE items s SET last_seen_at = now() WHERE s.id IN (SELECT aliases.item_id FROM aliases)
    )
    SELECT aliases.n, 'alias' FROM aliases
    UNION ALL
    SELECT known.n, CASE WHEN known.same THEN 'unchanged' ELSE 'changed' END FROM known;
END $$;
