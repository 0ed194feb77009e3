-- Issue 9: dedupe cost that stays flat as the database grows.
-- Candidates (earlier items that share a key with a new one) were featurised again from their text whenever the
-- in-process cache missed: always in a fresh Airflow task, and for most candidates once the database outgrows the
-- cache. Fingerprinting now stores each item's text features with its fingerprint (dedupe/stored.py: the shingles
-- as little-endian uint64s, then sentences, dates, numbers and names as JSON), valid for the row's content_hash.
-- NULL (rows fingerprinted before) means featurise from the text as before.
ALTER TABLE item_fingerprints ADD COLUMN IF NOT EXISTS text_features bytea;
-- Shingle hashes are random bytes: compressing them only costs time, so the value is never compressed.
ALTER TABLE item_fingerprints ALTER COLUMN text_features SET STORAGE EXTERNAL;
