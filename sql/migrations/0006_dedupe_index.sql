-- The LSH key index takes ~36 rows an item: one B-tree over it is enough. Each item's own keys are kept with
-- its fingerprint, so an edited item's old keys are deleted through the primary key, not a second index that
-- every insert would have to maintain at a random page.
ALTER TABLE item_fingerprints ADD COLUMN keys bigint[] NOT NULL DEFAULT '{}';
DROP INDEX item_bands_item;
