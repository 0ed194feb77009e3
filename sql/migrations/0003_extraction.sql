-- Wire metadata extracted from each item (agencies, dateline, syndication) and its unwrapped text.

ALTER TABLE items
    ADD COLUMN body_text     text NOT NULL DEFAULT '',     -- text without dateline, headline, sign-off, disclaimer
    ADD COLUMN agencies      text[] NOT NULL DEFAULT '{}',
    ADD COLUMN dateline      jsonb,                        -- {raw, place, region, country_code, date}
    ADD COLUMN syndicated    boolean NOT NULL DEFAULT false,
    ADD COLUMN syndicated_by text,
    ADD COLUMN word_count    integer NOT NULL DEFAULT 0,
    ADD COLUMN removed       text[] NOT NULL DEFAULT '{}'; -- the wrapping that was cut, for audit

CREATE INDEX items_agencies ON items USING gin (agencies);
CREATE INDEX items_dateline_country ON items ((dateline ->> 'country_code'));
