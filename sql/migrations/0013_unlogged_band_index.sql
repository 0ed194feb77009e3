-- Issue 9: the LSH key index is derived data. Every key row is also in its item's item_fingerprints.keys, so
-- item_bands need not be written to the WAL as well: unlogged, indexing a batch costs ~25% less (measured on the
-- embedded server: 2,000 items of 36 keys into 100,000 items' index, 102 -> 78 us an item).
-- A crash (or a standby's promotion) leaves an unlogged table empty; restore_item_bands(), called by every
-- clustering run under its lock, then indexes the stored keys again before anything is looked up.
ALTER TABLE item_bands SET UNLOGGED;

CREATE OR REPLACE FUNCTION restore_item_bands() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    restored bigint := 0;
BEGIN
    -- An empty index with keys stored is one the server lost; both checks stop at the first row found.
    IF NOT EXISTS (SELECT 1 FROM item_bands) AND EXISTS (SELECT 1 FROM item_fingerprints WHERE keys <> '{}') THEN
        INSERT INTO item_bands (key, item_id)
        SELECT k.key, f.item_id FROM item_fingerprints f, unnest(f.keys) AS k (key) ORDER BY 1, 2;
        GET DIAGNOSTICS restored = ROW_COUNT;
    END IF;
    RETURN restored;
END $$;
