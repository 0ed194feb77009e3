-- Schema v1: the feed registry, the raw landing table and the items.

CREATE TABLE feeds (
    id              bigserial PRIMARY KEY,
    url             text NOT NULL UNIQUE,
    name            text NOT NULL,
    outlet          text,
    country         text,
    language        text,
    tags            text[] NOT NULL DEFAULT '{}',
    poll_interval_s integer,
    settings        jsonb NOT NULL DEFAULT '{}',
    enabled         boolean NOT NULL DEFAULT true,
    disabled_reason text,
    etag            text,
    last_modified   text,
    last_hash       text,
    last_fetch_at   timestamptz,
    last_status     integer,
    last_error      text,
    error_count     integer NOT NULL DEFAULT 0,
    next_fetch_at   timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feeds_due ON feeds (next_fetch_at) WHERE enabled;

-- Raw landing: every fetch, successful or not, with the compressed body so any day can be re-processed.
CREATE TABLE fetches (
    id            bigserial PRIMARY KEY,
    feed_id       bigint NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    fetched_at    timestamptz NOT NULL DEFAULT now(),
    url           text NOT NULL,
    final_url     text,
    status        integer,
    etag          text,
    last_modified text,
    content_type  text,
    headers       jsonb NOT NULL DEFAULT '{}',
    elapsed_ms    integer,
    bytes         integer,
    content_hash  text,
    body          bytea,            -- zlib-compressed
    not_modified  boolean NOT NULL DEFAULT false,
    error         text,
    processed_at  timestamptz,
    partial       boolean,
    parse_error   text,
    items_found   integer,
    items_new     integer,
    items_updated integer
);
CREATE INDEX fetches_unprocessed ON fetches (id) WHERE processed_at IS NULL AND body IS NOT NULL;
CREATE INDEX fetches_fetched_at ON fetches (fetched_at);
CREATE INDEX fetches_feed ON fetches (feed_id, fetched_at DESC);

-- Items: one row per identity per feed (GUID, else canonical URL, else content hash).
CREATE TABLE items (
    id            bigserial PRIMARY KEY,
    feed_id       bigint NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    identity      text NOT NULL,
    guid          text,
    url           text,
    link          text,
    title         text NOT NULL DEFAULT '',
    text          text NOT NULL DEFAULT '',
    html          text NOT NULL DEFAULT '',
    authors       text[] NOT NULL DEFAULT '{}',
    categories    text[] NOT NULL DEFAULT '{}',
    language      text,
    published_at  timestamptz,
    updated_at    timestamptz,
    flags         text[] NOT NULL DEFAULT '{}',
    content_hash  text NOT NULL,
    fetch_id      bigint REFERENCES fetches (id) ON DELETE SET NULL,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT items_identity_per_feed UNIQUE (feed_id, identity)
);
CREATE INDEX items_published ON items (published_at);
CREATE INDEX items_first_seen ON items (first_seen_at);
CREATE INDEX items_content_hash ON items (content_hash);
CREATE INDEX items_url ON items (url);
