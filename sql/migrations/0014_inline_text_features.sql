-- Issue 9: a fingerprint row's text features (about 2.4 KB for a 1,900-character body) went to the TOAST table
-- past the 2 KB default target: two more rows and their index entries for every item, and a second lookup for
-- every candidate read back. Kept in the row up to a full page (EXTERNAL still means never compressed): COPY of
-- 2,000 bench rows into a 60,000-row table 37.0 -> 26.1 us a row, reading them back 9.2 -> 7.3 us a row.
ALTER TABLE item_fingerprints SET (toast_tuple_target = 8160);
