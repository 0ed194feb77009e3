-- Fetch state (issue 4): permanent-redirect tracking, adaptive polling, richer raw landing, per-host politeness.

-- fetch_url: where the feed now lives after a confirmed permanent redirect; `url` stays the registry key,
-- so re-syncing feeds.yaml updates the same row instead of re-adding the old address.
ALTER TABLE feeds
    ADD COLUMN fetch_url        text,
    ADD COLUMN pending_redirect text,           -- a 301/308 target seen once, moved to on the second sighting
    ADD COLUMN interval_s       integer,        -- the adaptive polling interval last chosen
    ADD COLUMN publisher_interval_s integer,    -- what the feed asks for itself: ttl / sy:updatePeriod
    ADD COLUMN disabled_at      timestamptz;

ALTER TABLE fetches
    ADD COLUMN error_kind  text,                -- http, timeout, dns, tls, connect, blocked, too_large, redirect...
    ADD COLUMN redirects   jsonb NOT NULL DEFAULT '[]',  -- [[status, target], ...] per hop followed
    ADD COLUMN remote_addr text,                -- the IP address actually connected to
    ADD COLUMN wire_bytes  integer;             -- body size as received, before decompression

-- One row per host: when a request last started there (min interval across parallel tasks), a host-wide
-- pause after 429/503, and optional per-host overrides of the global politeness settings.
CREATE TABLE hosts (
    host            text PRIMARY KEY,
    last_start_at   timestamptz NOT NULL DEFAULT '-infinity',
    not_before      timestamptz,
    max_concurrency integer CHECK (max_concurrency > 0),
    min_interval_s  double precision CHECK (min_interval_s >= 0),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
