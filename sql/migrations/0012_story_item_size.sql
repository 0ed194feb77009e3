-- Issue 9: the story refresh probed every member's fingerprint row only for the text size that breaks the last
-- ties between candidate canonical copies (~10 us a member at 100,000 items, most members' pages not cached).
-- The size is kept on the member row itself, written when the item is placed; NULL (rows placed before) means
-- read it from the fingerprint row, else measure the texts, as before.
ALTER TABLE story_items ADD COLUMN IF NOT EXISTS text_size integer;
