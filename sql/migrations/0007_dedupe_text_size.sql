-- Issue 9: a story's canonical copy breaks ties on the size of the item's text. Measuring it in the story
-- refresh decompresses every member's body and text (half the refresh); the fingerprinting step already
-- holds the text, so it records the size with the fingerprint. NULL (rows fingerprinted before this
-- migration) means measure it as before.
ALTER TABLE item_fingerprints ADD COLUMN text_size integer;
