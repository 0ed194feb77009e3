-- Deduplication in three layers: item aliases and versions, exact fingerprints, near-duplicate story clusters.

-- Layer 1a: the same item re-emitted by its feed under another GUID or URL slug is an alias, not a new row.
CREATE TABLE item_aliases (
    id            bigserial PRIMARY KEY,
    item_id       bigint NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    feed_id       bigint NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    identity      text NOT NULL,
    guid          text,
    url           text,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT item_aliases_identity_per_feed UNIQUE (feed_id, identity)
);
CREATE INDEX item_aliases_item ON item_aliases (item_id);
CREATE INDEX items_feed_content_hash ON items (feed_id, content_hash);

-- A BEFORE INSERT trigger keeps load.py's INSERT ... ON CONFLICT as it is: a row whose identity is new
-- but whose content the feed already has under another identity is recorded as an alias and skipped.
CREATE FUNCTION items_alias_reemitted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    existing bigint;
BEGIN
    -- A known identity is an update of that item: ON CONFLICT handles it.
    PERFORM 1 FROM items WHERE feed_id = NEW.feed_id AND identity = NEW.identity;
    IF FOUND THEN
        RETURN NEW;
    END IF;
    -- A short or empty body (a photo, an episode, "Live updates") says too little to call two entries one item.
    IF length(NEW.text) < 200 THEN
        RETURN NEW;
    END IF;
    SELECT id INTO existing FROM items
     WHERE feed_id = NEW.feed_id AND content_hash = NEW.content_hash
     ORDER BY id LIMIT 1;
    IF existing IS NULL THEN
        RETURN NEW;
    END IF;
    INSERT INTO item_aliases (item_id, feed_id, identity, guid, url)
    VALUES (existing, NEW.feed_id, NEW.identity, NEW.guid, NEW.url)
    ON CONFLICT (feed_id, identity) DO UPDATE SET last_seen_at = now();
    UPDATE items SET last_seen_at = now() WHERE id = existing;
    RETURN NULL;
END $$;

CREATE TRIGGER items_alias_reemitted BEFORE INSERT ON items
    FOR EACH ROW EXECUTE FUNCTION items_alias_reemitted();

-- Layer 1b: an item whose title or text changes under the same identity keeps what it was before.
CREATE TABLE item_versions (
    id               bigserial PRIMARY KEY,
    item_id          bigint NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    changed_at       timestamptz NOT NULL DEFAULT now(),
    changed          text[] NOT NULL,            -- which of title, text, link changed
    title            text NOT NULL,              -- the values before the change
    text             text NOT NULL,
    link             text,
    content_hash     text NOT NULL,
    new_content_hash text NOT NULL
);
CREATE INDEX item_versions_item ON item_versions (item_id, changed_at);

CREATE FUNCTION items_keep_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO item_versions (item_id, changed, title, text, link, content_hash, new_content_hash)
    VALUES (OLD.id,
            array_remove(ARRAY[
                CASE WHEN OLD.title IS DISTINCT FROM NEW.title THEN 'title' END,
                CASE WHEN OLD.text IS DISTINCT FROM NEW.text THEN 'text' END,
                CASE WHEN OLD.link IS DISTINCT FROM NEW.link THEN 'link' END], NULL),
            OLD.title, OLD.text, OLD.link, OLD.content_hash, NEW.content_hash);
    RETURN NULL;
END $$;

CREATE TRIGGER items_keep_version AFTER UPDATE OF content_hash ON items
    FOR EACH ROW WHEN (OLD.content_hash IS DISTINCT FROM NEW.content_hash)
    EXECUTE FUNCTION items_keep_version();

-- Layers 2 and 3: stories (clusters of copies across outlets) and which item belongs to which.
CREATE TABLE stories (
    id                 bigserial PRIMARY KEY,
    canonical_item_id  bigint REFERENCES items (id) ON DELETE SET NULL,
    title              text NOT NULL DEFAULT '',
    agencies           text[] NOT NULL DEFAULT '{}',
    dateline           jsonb,
    first_published_at timestamptz,
    first_seen_at      timestamptz,
    outlets            text[] NOT NULL DEFAULT '{}',
    item_count         integer NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stories_first_published ON stories (first_published_at);

CREATE TABLE story_items (
    item_id   bigint PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,  -- one story per item
    story_id  bigint NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    match     text NOT NULL CHECK (match IN ('first', 'exact', 'near')),
    score     real,
    linked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX story_items_story ON story_items (story_id);

-- Layer 2: the exact fingerprint of each item's normalized unwrapped text (NULL when too short to tell).
-- content_hash records which version of the item was fingerprinted, so an edited item is redone.
CREATE TABLE item_fingerprints (
    item_id      bigint PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    content_hash text NOT NULL,
    fingerprint  text,
    computed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX item_fingerprints_fingerprint ON item_fingerprints (fingerprint) WHERE fingerprint IS NOT NULL;

-- Layer 3: the LSH index (MinHash band keys and sentence keys), on disk so it survives restarts and outgrows
-- memory. No foreign key: checking one per key row would double the cost of indexing, and a key whose item
-- is gone is dropped by the join with items when candidates are read.
CREATE TABLE item_bands (
    key     bigint NOT NULL,
    item_id bigint NOT NULL,
    PRIMARY KEY (key, item_id)
);
CREATE INDEX item_bands_item ON item_bands (item_id);
