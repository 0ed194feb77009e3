"""SQL writes of the pipeline: batched, idempotent upserts (every retry is safe)."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import psycopg2.errors
import psycopg2.extensions
from isal import isal_zlib
from psycopg2.extras import execute_values

from wirefeed import copy_text, sql_literals
from wirefeed.identity import content_hash, item_identity
from wirefeed.models import Article, Dateline, Feed, Fetch


@dataclass(frozen=True)
class LoadCounts:
    """What one load did: rows inserted, rows whose content changed, rows already there unchanged."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0


def upsert_feeds(conn, feeds: list[Feed]) -> dict[str, int]:
    """Insert or update registry feeds by URL; return {url: id}. Fetch state is left alone."""
    if not feeds:
        return {}
    rows = [(f.url, f.name, f.outlet, f.country, f.language, list(f.tags), f.poll_interval_s,
             json.dumps(f.settings, sort_keys=True)) for f in feeds]
    with conn.cursor() as cur:
        result = execute_values(cur, """
            INSERT INTO feeds (url, name, outlet, country, language, tags, poll_interval_s, settings)
            VALUES %s
            ON CONFLICT (url) DO UPDATE SET
                name = EXCLUDED.name, outlet = EXCLUDED.outlet, country = EXCLUDED.country,
                language = EXCLUDED.language, tags = EXCLUDED.tags,
                poll_interval_s = EXCLUDED.poll_interval_s, settings = EXCLUDED.settings,
                updated_at = now()
            RETURNING url, id""", rows, template="(%s, %s, %s, %s, %s, %s::text[], %s, %s::jsonb)", fetch=True)
    conn.commit()
    return dict(result)


def pack_body(body: bytes) -> bytes:
    """A landed body as stored in fetches.body: a zlib stream (zlib.decompress reads it), written by ISA-L."""
    # ISA-L's level 1 writes the same format 4x faster than zlib's level 1 (0.38 vs 1.45 ms for a 125 KB feed),
    # and 2% smaller; zlib's default level 6 took 5.3 ms.
    return isal_zlib.compress(body, 1)


def record_fetch(conn, feed_id: int, fetch: Fetch, *, store_body: bool = True,
                 next_fetch_at: datetime | None = None, transition=None,
                 publisher_interval_s: int | None = None) -> int:
    """Land one fetch in `fetches` and update the feed's fetch state, in one transaction.

    `transition` (a wirefeed.feedstate.Transition) carries the schedule, errors, moves and disabling the
    state machine decided; without it the feed is simply due again after its poll interval.
    """
    body = pack_body(fetch.body) if (fetch.body is not None and store_body) else None
    now = fetch.fetched_at or datetime.now(timezone.utc)
    with conn.cursor() as cur:
        if body is None:
            # Nothing to re-process in this row (304, same hash, error): a crash losing it only means one more
            # fetch, so skip waiting for the disk. Landed bodies keep full durability.
            cur.execute("SET LOCAL synchronous_commit TO off")
        cur.execute("""
            INSERT INTO fetches (feed_id, fetched_at, url, final_url, status, etag, last_modified, content_type,
                                 headers, elapsed_ms, bytes, content_hash, body, not_modified, error, processed_at,
                                 error_kind, redirects, remote_addr, wire_bytes)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s)
            RETURNING id""",
            (feed_id, now, fetch.url, fetch.final_url, fetch.status, fetch.etag, fetch.last_modified,
             fetch.content_type, json.dumps(fetch.headers), fetch.elapsed_ms,
             len(fetch.body) if fetch.body is not None else None, fetch.content_hash, body,
             fetch.not_modified, fetch.error, None if body is not None else now,
             fetch.error_kind, json.dumps([list(hop) for hop in fetch.redirects]), fetch.remote_addr,
             fetch.wire_bytes))
        fetch_id = cur.fetchone()[0]
        failed = fetch.error is not None
        params = dict(now=now, status=fetch.status, failed=failed, error=fetch.error, etag=fetch.etag,
                      lm=fetch.last_modified, hash=fetch.content_hash, next=next_fetch_at, feed=feed_id,
                      fresh=fetch.ok)
        if transition is None:
            cur.execute("""
                UPDATE feeds SET
                    last_fetch_at = %(now)s, last_status = %(status)s,
                    last_error = CASE WHEN %(failed)s THEN %(error)s ELSE NULL END,
                    error_count = CASE WHEN %(failed)s THEN error_count + 1 ELSE 0 END,
                    etag = COALESCE(%(etag)s, etag), last_modified = COALESCE(%(lm)s, last_modified),
                    last_hash = COALESCE(%(hash)s, last_hash),
                    next_fetch_at = COALESCE(%(next)s, %(now)s + make_interval(secs => COALESCE(poll_interval_s, 3600))),
                    updated_at = now()
                WHERE id = %(feed)s""", params)
        else:
            t = transition
            # A new body without validators invalidates the old ones; a 304 or a failure keeps them.
            cur.execute("""
                UPDATE feeds SET
                    last_fetch_at = %(now)s, last_status = %(status)s,
                    last_error = %(last_error)s, error_count = %(errors)s,
                    etag = CASE WHEN %(fresh)s THEN %(etag)s ELSE COALESCE(%(etag)s, etag) END,
                    last_modified = CASE WHEN %(fresh)s THEN %(lm)s ELSE COALESCE(%(lm)s, last_modified) END,
                    last_hash = COALESCE(%(hash)s, last_hash),
                    next_fetch_at = %(next)s, interval_s = %(interval)s,
                    publisher_interval_s = COALESCE(%(publisher)s, publisher_interval_s),
                    enabled = enabled AND %(enabled)s,
                    disabled_reason = CASE WHEN %(enabled)s THEN disabled_reason ELSE %(reason)s END,
                    disabled_at = CASE WHEN %(enabled)s THEN disabled_at ELSE %(now)s END,
                    fetch_url = COALESCE(%(moved)s, fetch_url), pending_redirect = %(pending)s,
                    updated_at = now()
                WHERE id = %(feed)s""",
                {**params, "last_error": t.last_error, "errors": t.error_count, "next": t.next_fetch_at,
                 "interval": t.interval_s, "publisher": publisher_interval_s, "enabled": t.enabled,
                 "reason": t.disabled_reason, "moved": t.fetch_url, "pending": t.pending_redirect})
    conn.commit()
    return fetch_id


def load_articles(conn, feed_id: int, fetch_id: int | None, articles: list[Article], *,
                  commit: bool = True) -> tuple[LoadCounts, list[int]]:
    """Upsert one feed's articles by (feed_id, identity): load_fetches of one fetch.

    Returns the counts and the ids of the rows inserted or changed (the ones dedupe must look at).
    The transaction commits without waiting for the WAL flush: a commit lost in a crash leaves the fetch
    unprocessed (its mark is in the same transaction), and processing it again gives the same rows.
    """
    (loaded,) = load_fetches(conn, [(feed_id, fetch_id, articles)])
    if commit:
        conn.commit()
    return loaded


def load_fetches(conn, fetches: Sequence[tuple[int, int | None, list[Article]]]) -> list[tuple[LoadCounts, list[int]]]:
    """Upsert the articles of several fetches, each (feed id, fetch id, articles), exactly as loading them one after
    the other would, without committing; return each fetch's counts and the ids of its rows inserted or changed.

    One set-based check for all their rows diverts re-emitted items to aliases and leaves out the rows stored
    unchanged (migration 0011); the new rows go in by one COPY, the changed ones by one upsert. Rows that must see
    an earlier row of the batch written (a feed's content or identity again) start the next round of statements.
    """
    rows, owners = [], []
    for n, (feed_id, fetch_id, articles) in enumerate(fetches):
        these = _rows(feed_id, fetch_id, articles)
        rows.extend(these)
        owners.extend([n] * len(these))
    written = []
    if rows:
        with conn.cursor() as cur:
            for run in _distinct_content_runs(rows):
                written.extend(_write(cur, run))
    changed = [[] for _ in fetches]
    found = [0] * len(fetches)
    for owner, outcome in zip(owners, written):
        found[owner] += 1
        if outcome is not None:
            changed[owner].append(outcome)
    out = []
    for total, these in zip(found, changed):
        new = sum(1 for _, inserted in these if inserted)
        out.append((LoadCounts(new=new, updated=len(these) - new, unchanged=total - len(these)),
                    [row_id for row_id, _ in these]))
    return out


def _write(cur, rows: list[tuple]) -> list[tuple[int, bool] | None]:
    """Write rows (no two of one feed with one content or identity): the new ones by COPY, the changed ones by
    upsert; return (id, inserted) of each row, None for a row not written (an alias, or stored unchanged)."""
    new, changed = _divert_aliases(cur, rows)
    written = {}
    if new:
        ids = _copy_new(cur, new)
        if ids is None:  # an identity turned up since the check: the upsert settles it as it always did
            pending = {row[:2] for row in new} | {row[:2] for row in changed}
            changed = [row for row in rows if row[:2] in pending]
        else:
            written.update((row[:2], (row_id, True)) for row, row_id in zip(new, ids))
    if changed:
        written.update(((feed_id, identity), (row_id, inserted))
                       for row_id, inserted, feed_id, identity in _upsert_changed(cur, changed))
    return [written.get(row[:2]) for row in rows]


def _copy_new(cur, rows: list[tuple]) -> list[int] | None:
    """COPY rows of identities their feeds do not have into items; return their ids, or None (nothing written) if
    one of them was stored meanwhile."""
    # Ids drawn first so they are known without reading the rows back, in batch order as an upsert gives them.
    cur.execute(f"SAVEPOINT copy_new_items; SELECT nextval('items_id_seq') FROM generate_series(1, {len(rows)})")
    ids = sorted(row_id for (row_id,) in cur.fetchall())
    data = _CopySource([(row_id, *row) for row_id, row in zip(ids, rows)],
                       psycopg2.extensions.encodings[cur.connection.encoding])
    try:
        cur.copy_expert(f"COPY items (id, {_COLUMNS}) FROM STDIN {copy_text.OPTIONS}", data)
    except psycopg2.errors.UniqueViolation:
        # A concurrent load of one of these feeds committed one of these identities after our check saw none.
        cur.execute("ROLLBACK TO SAVEPOINT copy_new_items")
        return None
    except psycopg2.errors.QueryCanceled:
        if data.refused is not None:  # psycopg2 reports a value refused while writing the data as a cancelled COPY
            raise data.refused from None
        raise
    return ids


class _CopySource:
    """The COPY data of rows, in the text format, written as the server reads it: a few rows at a time, so Python
    writes the next lines while the server parses and indexes the last ones (on another core), instead of before
    it starts."""

    def __init__(self, rows: list[tuple], encoding: str):
        self.rows, self.encoding, self.at = rows, encoding, 0
        self.refused: ValueError | None = None  # a value no COPY line can carry (a NUL)

    def read(self, size: int = -1) -> bytes:
        """The lines of the next rows, encoded (psycopg2 sends each read as one CopyData message); b"" at the end."""
        rows = self.rows[self.at:self.at + _COPY_ROWS]
        self.at += len(rows)
        try:
            # Encoded here: from a text buffer psycopg2 reads and encodes chunk by chunk, 10 us an item.
            return copy_text.lines(rows, _ROW_COPY).encode(self.encoding)
        except ValueError as exc:
            self.refused = exc
            raise


def _upsert_changed(cur, rows: list[tuple]) -> list[tuple[int, bool, int, str]]:
    """Upsert rows as one VALUES list; return (id, inserted, feed id, identity) of the rows changed."""
    returning = ", feed_id, identity"
    if not sql_literals.conforming(cur.connection):  # backslashes would be escapes: let psycopg2 quote
        return execute_values(cur, _UPSERT_ITEMS.format(source="VALUES %s") + returning, list(map(_adapted, rows)),
                              template=_ROW_TEMPLATE, fetch=True, page_size=1000)
    # No parameters: psycopg2 sends the text as it is (a % in the data is just a character).
    cur.execute(_UPSERT_ITEMS.format(source="VALUES " + sql_literals.values_list(rows, _ROW_LITERALS)) + returning)
    return cur.fetchall()


def _divert_aliases(cur, rows: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """Record the re-emitted rows as aliases (migration 0011, each row against its own feed); return the rows to
    write, as (new identities, changed content), without those and without the rows already stored unchanged."""
    columns = ([row[1] for row in rows], [row[_HASH] for row in rows], [row[2] for row in rows],
               [row[3] for row in rows])
    feeds = sql_literals.bigint_array([row[0] for row in rows])
    long = sql_literals.boolean_array([len(row[_TEXT] or "") >= ALIAS_MIN_TEXT for row in rows])
    if sql_literals.conforming(cur.connection):
        identities, hashes, guids, urls = map(sql_literals.text_array, columns)
        cur.execute(f"""SET LOCAL synchronous_commit = off;
                        SELECT pos, fate FROM items_divert_aliases({feeds}, {identities}, {hashes}, {long}, {guids},
                                                                   {urls})""")
    else:
        cur.execute(f"""SET LOCAL synchronous_commit = off;
                        SELECT pos, fate FROM items_divert_aliases({feeds}, %s::text[], %s::text[], {long},
                                                                   %s::text[], %s::text[])""", columns)
    fates = {pos - 1: fate for pos, fate in cur.fetchall()}
    if not fates:
        return rows, []
    new = [row for n, row in enumerate(rows) if n not in fates]
    return new, [row for n, row in enumerate(rows) if fates.get(n) == "changed"]


def _distinct_content_runs(rows: list[tuple]) -> list[list[tuple]]:
    """The rows in order, cut where a feed's content hash or identity repeats within the run (one round of
    statements per run)."""
    # A row of a content its feed already has in the batch must see the row before it (the first becomes the item,
    # the next an alias of it), and so must a row of an identity already in the batch (the first inserts the item,
    # the next updates it or leaves it): one set-based statement cannot show it, so it starts the next run. Rows of
    # other feeds never interact (aliases are per feed).
    runs, hashes, identities = [[]], set(), set()
    for row in rows:
        content, key = (row[0], row[_HASH]), row[:2]
        if content in hashes or key in identities:
            runs.append([])
            hashes.clear()
            identities.clear()
        runs[-1].append(row)
        hashes.add(content)
        identities.add(key)
    return runs


def _dateline_json(dateline: Dateline | None) -> str | None:
    """The dateline as the JSON stored in items.dateline."""
    if dateline is None:
        return None
    # Spelled out: dataclasses.asdict deep-copies every field, which cost more than the rest of the row.
    return json.dumps({"raw": dateline.raw, "place": dateline.place, "region": dateline.region,
                       "country_code": dateline.country_code,
                       "date": dateline.date.isoformat() if dateline.date else None}, ensure_ascii=False)


@dataclass(frozen=True)
class Processed:
    """What processing one landed fetch gave: entries found, the load's counts, whether it is partial and why."""

    fetch_id: int
    found: int
    counts: LoadCounts
    partial: bool = False
    error: str | None = None


def mark_processed(conn, fetches: Sequence[Processed]) -> None:
    """Record in one statement that landed fetches were parsed and loaded (so they are not processed again); a
    fetch's error is also its feed's last error (the last fetch's, when one feed has several). No commit."""
    if not fetches:
        return
    columns = ([f.fetch_id for f in fetches], [f.found for f in fetches], [f.counts.new for f in fetches],
               [f.counts.updated for f in fetches], [f.partial for f in fetches], [f.error for f in fetches])
    with conn.cursor() as cur:
        cur.execute("""
            WITH marked AS (
                UPDATE fetches f SET processed_at = now(), items_found = m.found, items_new = m.new,
                                     items_updated = m.updated, partial = m.partial, parse_error = m.error
                FROM unnest(%s::bigint[], %s::integer[], %s::integer[], %s::integer[], %s::boolean[], %s::text[])
                     WITH ORDINALITY AS m(id, found, new, updated, partial, error, n)
                WHERE f.id = m.id
                RETURNING f.feed_id, m.error, m.n
            )
            UPDATE feeds SET last_error = e.error, updated_at = now()
            FROM (SELECT DISTINCT ON (feed_id) feed_id, error FROM marked WHERE error <> ''
                  ORDER BY feed_id, n DESC) e
            WHERE feeds.id = e.feed_id""", columns)


def add_new_feeds(conn, feeds: list[Feed]) -> list[str]:
    """Insert feeds whose URL is not registered yet (an import never overwrites a configured feed); return their URLs."""
    if not feeds:
        return []
    rows = [(f.url, f.name, f.outlet, f.country, f.language, list(f.tags), f.poll_interval_s,
             json.dumps(f.settings, sort_keys=True)) for f in feeds]
    with conn.cursor() as cur:
        added = execute_values(cur, """
            INSERT INTO feeds (url, name, outlet, country, language, tags, poll_interval_s, settings)
            VALUES %s ON CONFLICT (url) DO NOTHING RETURNING url""",
            rows, template="(%s, %s, %s, %s, %s, %s::text[], %s, %s::jsonb)", fetch=True)
    conn.commit()
    return [url for (url,) in added]


def ensure_source_feed(conn, url: str, name: str) -> int:
    """Id of the feed row for a non-HTTP source (a drop folder); created disabled so no fetch plan dials it."""
    with conn.cursor() as cur:
        cur.execute("""
            INSERT INTO feeds (url, name, enabled, disabled_reason) VALUES (%s, %s, false, 'drop folder: not fetched')
            ON CONFLICT (url) DO UPDATE SET name = EXCLUDED.name RETURNING id""", (url, name))
        feed_id = cur.fetchone()[0]
    conn.commit()
    return feed_id


ITEM_COLUMNS = ("feed_id", "identity", "guid", "url", "link", "title", "text", "html", "authors", "categories",
                "language", "published_at", "updated_at", "flags", "content_hash", "fetch_id", "body_text",
                "agencies", "dateline", "syndicated", "syndicated_by", "word_count", "removed")
# Where a row's fields sit in a row tuple.
_TEXT, _HASH = ITEM_COLUMNS.index("text"), ITEM_COLUMNS.index("content_hash")
# A text shorter than this (a photo, an episode, "Live updates") says too little to call two entries one item.
ALIAS_MIN_TEXT = 200
_ROW_TEMPLATE = ("(%s, %s, %s, %s, %s, %s, %s, %s, %s::text[], %s::text[], %s, %s, %s, %s::text[], %s, %s,"
                 " %s, %s::text[], %s::jsonb, %s, %s, %s, %s::text[])")
_COLUMNS = ", ".join(ITEM_COLUMNS)
# How each column of a _rows row is written in a VALUES list (the types _ROW_TEMPLATE gives psycopg2).
_ROW_LITERALS = (sql_literals.integer, *[sql_literals.text] * 7, sql_literals.text_array, sql_literals.text_array,
                 sql_literals.text, sql_literals.timestamptz, sql_literals.timestamptz, sql_literals.text_array,
                 sql_literals.text, sql_literals.integer, sql_literals.text, sql_literals.text_array,
                 lambda dateline: sql_literals.jsonb(_dateline_json(dateline)), sql_literals.boolean,
                 sql_literals.text, sql_literals.integer, sql_literals.text_array)
# How each column of a _rows row, after the id, is written for COPY.
_ROW_COPY = (copy_text.integer, copy_text.integer, *[copy_text.text] * 7, copy_text.text_array,
             copy_text.text_array, copy_text.text, copy_text.timestamptz, copy_text.timestamptz,
             copy_text.text_array, copy_text.text, copy_text.integer, copy_text.text, copy_text.text_array,
             lambda dateline: copy_text.text(_dateline_json(dateline)), copy_text.boolean, copy_text.text,
             copy_text.integer, copy_text.text_array)
# Rows per CopyData message: ~100 KB of typical items, few messages, and the server starts on the first ones early.
_COPY_ROWS = 16
# The upsert shared by both loads; {source} is the rows, in ITEM_COLUMNS order.
_UPSERT_ITEMS = f"""
    INSERT INTO items AS i ({_COLUMNS})
    {{source}}
    ON CONFLICT (feed_id, identity) DO UPDATE SET
        guid = EXCLUDED.guid, url = EXCLUDED.url, link = EXCLUDED.link, title = EXCLUDED.title,
        text = EXCLUDED.text, html = EXCLUDED.html, authors = EXCLUDED.authors,
        categories = EXCLUDED.categories, language = EXCLUDED.language,
        published_at = EXCLUDED.published_at, updated_at = EXCLUDED.updated_at, flags = EXCLUDED.flags,
        content_hash = EXCLUDED.content_hash, fetch_id = EXCLUDED.fetch_id, last_seen_at = now(),
        body_text = EXCLUDED.body_text, agencies = EXCLUDED.agencies, dateline = EXCLUDED.dateline,
        syndicated = EXCLUDED.syndicated, syndicated_by = EXCLUDED.syndicated_by,
        word_count = EXCLUDED.word_count, removed = EXCLUDED.removed
    WHERE i.content_hash IS DISTINCT FROM EXCLUDED.content_hash
    RETURNING id, (xmax = 0) AS inserted"""


def article_rows(feed_id: int, fetch_id: int | None, articles: list[Article]) -> list[tuple]:
    """The items rows of the articles, in ITEM_COLUMNS order as psycopg2 adapts them (lists for arrays, the dateline
    as JSON), one per identity (the first copy wins)."""
    return [_adapted(row) for row in _rows(feed_id, fetch_id, articles)]


def _rows(feed_id: int, fetch_id: int | None, articles: list[Article]) -> list[tuple]:
    """The items rows of the articles as the load writes them: arrays as the sequences they are, the dateline as a
    Dateline (made JSON by the column writers, as the COPY data is written: after the check, beside the server)."""
    rows, seen = [], set()
    for article in articles:
        item = article.item
        identity = item_identity(item)
        if identity in seen:  # a feed listing one entry twice: the first copy wins
            continue
        seen.add(identity)
        rows.append((feed_id, identity, item.guid, item.url, item.link, article.title, item.text, item.html,
                     article.authors or item.authors, item.categories, article.language or item.language,
                     article.published_at or item.published_at, item.updated_at, item.flags, content_hash(item),
                     fetch_id, article.text, article.agencies, article.dateline,
                     article.syndicated, article.syndicated_by, article.word_count, article.removed))
    return rows


def _adapted(row: tuple) -> tuple:
    """A row of _rows as psycopg2 adapts it (lists become arrays, the dateline its JSON)."""
    return (*row[:8], list(row[8]), list(row[9]), *row[10:13], list(row[13]), *row[14:17], list(row[17]),
            _dateline_json(row[18]), *row[19:22], list(row[22]))


def record_archive_fetch(conn, feed_id: int, fetch: Fetch, *, archive: str) -> int:
    """Land one page of a feed's archive (history for a backfill); the feed's fetch state is left alone."""
    with conn.cursor() as cur:
        cur.execute("""
            INSERT INTO fetches (feed_id, fetched_at, url, final_url, status, content_type, headers, elapsed_ms, bytes,
                                 content_hash, body, remote_addr, wire_bytes)
            VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s) RETURNING id""",
            (feed_id, fetch.fetched_at or datetime.now(timezone.utc), fetch.url, fetch.final_url, fetch.status,
             fetch.content_type, json.dumps({**fetch.headers, "x-wirefeed-archive": archive}), fetch.elapsed_ms,
             len(fetch.body), fetch.content_hash, pack_body(fetch.body), fetch.remote_addr, fetch.wire_bytes))
        fetch_id = cur.fetchone()[0]
    conn.commit()
    return fetch_id
