-- Issue 9: dedupe lookups whose cost stays flat as the tables grow.
-- (Written to be re-runnable: an earlier draft of this migration was applied as 0007_dedupe_text_size.)

-- The exact-copy lookup asks for the latest items of one fingerprint (ORDER BY item_id DESC LIMIT n). With an
-- index on the fingerprint alone the planner walked the primary key backwards, filtering every row: 20 ms a
-- fingerprint at 34,000 items, growing with the table. With item_id in the index it is one short range scan.
CREATE INDEX IF NOT EXISTS item_fingerprints_fingerprint_item ON item_fingerprints (fingerprint, item_id)
    WHERE fingerprint IS NOT NULL;
DROP INDEX IF EXISTS item_fingerprints_fingerprint;

-- A story's canonical copy breaks ties on the size of the item's text. Measuring it in the story refresh
-- decompressed every member's body and text (half the refresh); fingerprinting already holds the text, so it
-- records the size with the fingerprint. NULL (rows fingerprinted before) means measure it as before.
ALTER TABLE item_fingerprints ADD COLUMN IF NOT EXISTS text_size integer;
