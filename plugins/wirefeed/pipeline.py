"""The pipeline's steps as plain functions over a connection; DAG tasks and the CLI call these."""
from __future__ import annotations

import heapq
import logging
import math
import threading
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from datetime import datetime, timezone

import psycopg2
import psycopg2.errors

from wirefeed import config, feedstate, load
from wirefeed.clean import clean_item
from wirefeed.dedupe.store import assign_stories
from wirefeed.db import dict_cursor
from wirefeed.errors import ConfigError
from wirefeed.extract import extract_article
from wirefeed.fetch import Fetcher, Limits
from wirefeed.identity import item_identity
from wirefeed.load import LoadCounts
from wirefeed.models import Article, Fetch, ParseResult
from wirefeed.parse import parse
from wirefeed.politeness import HostGate, host_of
from wirefeed.registry import load_registry

log = logging.getLogger(__name__)
# What the database says about one bad row (bad data, an index entry too large; psycopg2 refuses NUL characters
# with ValueError), as opposed to a lost connection, which must fail the task.
_ROW_ERRORS = (psycopg2.DataError, psycopg2.errors.ProgramLimitExceeded, ValueError)


@dataclass
class RunCounts:
    """Counts a step reports to its task log and XCom (ids and counts only travel there)."""

    feeds: int = 0
    fetched: int = 0
    unchanged: int = 0
    failed: int = 0
    deferred: int = 0  # host busy past the wait limit: left due for the next run, not fetched
    fetches: int = 0
    items_found: int = 0
    items_new: int = 0
    items_updated: int = 0
    items_unchanged: int = 0
    stories_new: int = 0
    stories_joined: int = 0
    exact_duplicates: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The counts as a JSON-able dict (errors truncated to keep XCom small)."""
        out = {k: v for k, v in self.__dict__.items() if k != "errors"}
        out["errors"] = self.errors[:20]
        return out


def sync_registry(conn, path=None) -> int:
    """Read feeds.yaml and upsert it into `feeds`; return how many feeds it lists."""
    path = path or config.feeds_file()
    feeds = load_registry(path)
    load.upsert_feeds(conn, feeds)
    log.info("registry %s: %d feeds synced", path, len(feeds))
    return len(feeds)


def plan_fetch_batches(conn, *, force: bool = False, batch_size: int = config.FETCH_BATCH_SIZE,
                       max_batches: int = config.MAX_BATCHES) -> list[list[int]]:
    """Ids of the due feeds, split in at most `max_batches` batches (one mapped task each)."""
    with conn.cursor() as cur:
        # Grouped by host: a host's feeds mostly share one task and are fetched one after another.
        cur.execute("""SELECT id FROM feeds WHERE enabled AND (%s OR next_fetch_at <= now())
                       ORDER BY lower(substring(COALESCE(fetch_url, url) from '://(?:[^/@]*@)?([^/:?#]+)')), id""",
                    (force,))
        ids = [row[0] for row in cur.fetchall()]
    conn.commit()
    if not ids:
        return []
    # Grow the batch rather than exceed Airflow's max_map_length.
    size = max(batch_size, math.ceil(len(ids) / max_batches))
    batches = [ids[i:i + size] for i in range(0, len(ids), size)]
    log.info("%d feeds due, %d batches of up to %d", len(ids), len(batches), size)
    return batches


def fetch_feeds(conn, feed_ids: list[int], *, fetcher: Fetcher | None = None, gate: HostGate | None = None,
                max_wait_s: float = config.HOST_MAX_WAIT_S, workers: int | None = None) -> RunCounts:
    """Fetch the given feeds politely, several hosts at once, and land every outcome in `fetches`; one bad
    feed never stops the rest."""
    counts = RunCounts()
    with dict_cursor(conn) as cur:
        # The observed gap between recent items drives adaptive polling.
        cur.execute("""
            SELECT f.id, COALESCE(f.fetch_url, f.url) AS url, f.etag, f.last_modified, f.last_hash, f.settings,
                   f.error_count, f.pending_redirect, f.poll_interval_s, f.publisher_interval_s, g.gap
            FROM feeds f LEFT JOIN LATERAL (
                SELECT EXTRACT(EPOCH FROM max(i.published_at) - min(i.published_at)) / NULLIF(count(*) - 1, 0) AS gap
                FROM items i WHERE i.feed_id = f.id AND i.published_at > now() - interval '14 days'
                                   AND i.published_at <= now()) g ON true
            WHERE f.id = ANY(%s) AND f.enabled ORDER BY f.id""", (list(feed_ids),))
        feeds = cur.fetchall()
    conn.commit()
    workers = max(1, workers or config.fetch_workers())
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher()
    gate = gate or HostGate(conn)
    # The network waits run in parallel; the one connection's transactions must not interleave.
    db_lock = threading.Lock()
    # (ready at, order, feed): a feed whose host is busy goes back in line instead of blocking the others.
    queue = [(0.0, n, feed) for n, feed in enumerate(feeds)]
    first_refused: dict[int, float] = {}
    running: set[Future] = set()
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wirefeed-fetch") as pool:
            while queue or running:
                while queue and queue[0][0] <= time.monotonic() and len(running) < workers:
                    _, n, feed = heapq.heappop(queue)
                    host = host_of(feed["url"])
                    with db_lock:
                        lease, wait = gate.try_acquire(host)
                    if lease is not None:
                        running.add(pool.submit(_fetch_one, conn, db_lock, fetcher, gate, lease, feed, counts))
                        continue
                    waited = time.monotonic() - first_refused.setdefault(feed["id"], time.monotonic())
                    if waited + wait > max_wait_s:
                        counts.deferred += 1
                        log.info("feed %s deferred: host %s busy for %.0f s more", feed["url"], host, wait)
                    else:
                        heapq.heappush(queue, (time.monotonic() + wait, n, feed))
                # Sleep until a fetch ends or the next feed in line is ready, whichever comes first.
                until_ready = max(0.0, queue[0][0] - time.monotonic()) if queue and len(running) < workers else None
                if running:
                    done, running = wait_futures(running, timeout=until_ready, return_when=FIRST_COMPLETED)
                    for future in done:
                        future.result()  # a database failure stops the task: Airflow retries it
                elif until_ready:
                    time.sleep(until_ready)
    finally:
        if own_fetcher:
            fetcher.close()
    counts.feeds = len(feeds)
    log.info("fetched %d feeds: %d new bodies, %d unchanged, %d failed, %d deferred",
             counts.feeds, counts.fetched, counts.unchanged, counts.failed, counts.deferred)
    return counts


def _fetch_one(conn, db_lock: threading.Lock, fetcher: Fetcher, gate: HostGate, lease, feed: dict,
               counts: RunCounts) -> None:
    """Fetch one feed (in parallel with others), then decide its next state and land both (one at a time)."""
    try:
        try:
            limits = Limits.from_settings(feed["settings"])
        except ConfigError as exc:
            result = Fetch(url=feed["url"], error=str(exc), error_kind="config", fetched_at=datetime.now(timezone.utc))
        else:
            result = fetcher.fetch(feed["url"], etag=feed["etag"], last_modified=feed["last_modified"], limits=limits)
    finally:
        with db_lock:
            gate.release(lease)
    # A server that ignores conditional GET still sends the same bytes: skip re-parsing them.
    same_body = result.ok and result.content_hash == feed["last_hash"]
    publisher_s = feedstate.publisher_interval(result.body) if result.ok else feed["publisher_interval_s"]
    state = feedstate.FeedState(url=feed["url"], error_count=feed["error_count"],
                                pending_redirect=feed["pending_redirect"], poll_interval_s=feed["poll_interval_s"])
    cadence = feedstate.Cadence(publisher_s=publisher_s, observed_gap_s=float(feed["gap"]) if feed["gap"] else None)
    transition = feedstate.next_state(state, result, now=result.fetched_at, cadence=cadence, unchanged=same_body)
    with db_lock:
        load.record_fetch(conn, feed["id"], result, store_body=not same_body, transition=transition,
                          publisher_interval_s=publisher_s if result.ok else None)
        if transition.outcome == "throttled":
            gate.pause(host_of(feed["url"]), (transition.next_fetch_at - result.fetched_at).total_seconds())
        if result.error:
            counts.failed += 1
            counts.errors.append(f"{feed['url']}: {result.error}")
        elif transition.outcome == "unchanged":
            counts.unchanged += 1
        else:
            counts.fetched += 1
    if transition.fetch_url:
        log.warning("feed %s moved permanently to %s", feed["url"], transition.fetch_url)
    if result.error:
        log.warning("feed %s failed: %s", feed["url"], transition.last_error)


def process_pending(conn, *, limit: int | None = None) -> RunCounts:
    """Parse, clean and load every landed fetch not yet processed, oldest first, several fetches a transaction."""
    counts = RunCounts()
    with conn.cursor() as cur:
        cur.execute("""SELECT id, feed_id FROM fetches WHERE processed_at IS NULL AND body IS NOT NULL
                       ORDER BY id LIMIT %s""", (limit,))
        pending = cur.fetchall()
    conn.commit()
    for processed, _ in _process(conn, pending):
        counts.fetches += 1
        counts.items_found += processed.found
        counts.items_new += processed.counts.new
        counts.items_updated += processed.counts.updated
        counts.items_unchanged += processed.counts.unchanged
        if processed.error:
            counts.failed += 1
            counts.errors.append(f"fetch {processed.fetch_id}: {processed.error}")
    log.info("processed %d fetches: %d items found, %d new, %d updated, %d unchanged, %d failed",
             counts.fetches, counts.items_found, counts.items_new, counts.items_updated,
             counts.items_unchanged, counts.failed)
    cluster_pending(conn, counts)
    return counts


def cluster_pending(conn, counts: RunCounts) -> None:
    """Assign every item not yet clustered (or edited since) to its story."""
    # Swept from the table rather than passed along, so items loaded by a run that died
    # before clustering are picked up by the next one.
    with conn.cursor() as cur:
        cur.execute("""SELECT i.id FROM items i LEFT JOIN item_fingerprints f ON f.item_id = i.id
                       WHERE f.item_id IS NULL OR f.content_hash <> i.content_hash ORDER BY i.id""")
        item_ids = [row[0] for row in cur.fetchall()]
    conn.commit()
    totals = cluster_items(conn, item_ids)
    counts.stories_new += totals["new_stories"]
    counts.stories_joined += totals["joined"]
    counts.exact_duplicates += totals["exact_duplicates"]
    log.info("clustered %d items: %d new stories, %d copies joined a story (%d exact copies)",
             len(item_ids), counts.stories_new, counts.stories_joined, counts.exact_duplicates)


def cluster_items(conn, item_ids: list[int], chunk: int = 5000) -> dict:
    """Assign items to stories in chunks (one transaction each); return the summed counts."""
    totals = {"items": 0, "new_stories": 0, "joined": 0, "exact_duplicates": 0}
    for start in range(0, len(item_ids), chunk):
        result = assign_stories(conn, item_ids[start:start + chunk])
        for key in totals:
            totals[key] += result[key]
    return totals


def articles_of(row: dict) -> tuple[ParseResult, list[Article]]:
    """Parse, clean and extract a landed fetch row (body, urls, content_type, fetched_at, outlet)."""
    data = zlib.decompress(bytes(row["body"]))
    # now=fetched_at: a re-run of a past fetch dates and clamps its items exactly as the first run did.
    parsed = parse(data, url=row["final_url"] or row["url"], content_type=row["content_type"], now=row["fetched_at"])
    return parsed, [extract_article(clean_item(item), outlet=row["outlet"]) for item in parsed.items]


def process_fetch(conn, fetch_id: int) -> tuple[int, LoadCounts, str | None]:
    """Parse one landed fetch and load its items and its processed mark in one transaction (a batch of one)."""
    with conn.cursor() as cur:
        cur.execute("SELECT feed_id FROM fetches WHERE id = %s AND processed_at IS NULL", (fetch_id,))
        row = cur.fetchone()
    conn.rollback()
    done = list(_process(conn, [(fetch_id, row[0])])) if row else []
    if not done:
        return 0, LoadCounts(), None
    ((processed, _),) = done
    return processed.found, processed.counts, processed.error


@dataclass
class ParsedFetch:
    """A landed fetch parsed, cleaned and extracted: what the load takes."""

    fetch_id: int
    feed_id: int
    articles: list[Article]
    partial: bool = False
    error: str | None = None  # the parser's


# One load transaction takes fetches until it has this many, or this many entries (plus the last fetch's): 40
# typical fetches of 50. Loaded fetch by fetch (issue 9, 100k items), a COPY of ~50 rows cost ~258 us an item
# against ~221 for one of 2,000, and the check, marks, commit and five round trips a fetch ~125 more; at ~2,000
# rows those are paid once for 40 fetches. Larger batches gain little more and hold more: the parsed entries
# (~10 KB each, ~20 MB a batch), the fetches' row locks and the feeds' load locks, for as long as they parse.
BATCH_FETCHES = 40
BATCH_ITEMS = 2_000
# A transaction-level advisory lock (this key, the feed id) a process run holds on every feed its open batch
# holds fetches of: two runs never load one feed at once, so their batches never wait on each other's rows in
# opposite orders (a deadlock). A run only waits for the lock holding nothing else: it finishes its batch first.
_FEED_LOCK = 0x77666C64


def _batch_full(fetches: int, items: int) -> bool:
    """Whether a batch of this many fetches and entries takes no more."""
    return fetches >= BATCH_FETCHES or items >= BATCH_ITEMS


def _process(conn, pending: list[tuple[int, int]]) -> Iterator[tuple[load.Processed, list[int]]]:
    """Take, parse and load the fetches (id, feed id), in order and in batches of one transaction each; yield what
    each fetch taken gave and the ids of its items written. A fetch another run holds or has done is skipped."""
    batch, items, held = [], 0, set()
    for fetch_id, feed_id in pending:
        if feed_id not in held:
            if not _lock_feed(conn, feed_id, wait=False):
                # Another run is loading this feed: end our transaction, then wait for that run's to end.
                if batch:
                    yield from load_batch(conn, batch)
                conn.rollback()
                batch, items, held = [], 0, set()
                _lock_feed(conn, feed_id, wait=True)
            held.add(feed_id)
        taken = _take(conn, fetch_id)
        if taken is None:
            continue
        batch.append(taken)
        items += len(taken.articles)
        if _batch_full(len(batch), items):
            yield from load_batch(conn, batch)
            batch, items, held = [], 0, set()
    if batch:
        yield from load_batch(conn, batch)
    conn.rollback()  # the feed locks of fetches another run took


def _lock_feed(conn, feed_id: int, *, wait: bool) -> bool:
    """Take the feed's load lock for this transaction (waiting for it, or only if it is free); return whether held."""
    with conn.cursor() as cur:
        if wait:
            cur.execute("SELECT pg_advisory_xact_lock(%s::integer, %s::integer)", (_FEED_LOCK, feed_id & 0x7FFFFFFF))
            return True
        cur.execute("SELECT pg_try_advisory_xact_lock(%s::integer, %s::integer)", (_FEED_LOCK, feed_id & 0x7FFFFFFF))
        return cur.fetchone()[0]


def _take(conn, fetch_id: int) -> ParsedFetch | None:
    """Lock one landed fetch for this transaction and parse it; None if it is done or another run holds it."""
    with dict_cursor(conn) as cur:
        # SKIP LOCKED: two runs at once each take different fetches instead of doubling work.
        cur.execute("""SELECT f.id, f.feed_id, f.final_url, f.url, f.content_type, f.body, f.fetched_at, feeds.outlet
                       FROM fetches f JOIN feeds ON feeds.id = f.feed_id
                       WHERE f.id = %s AND f.processed_at IS NULL FOR UPDATE OF f SKIP LOCKED""", (fetch_id,))
        row = cur.fetchone()
    if row is None:
        return None
    parsed, articles = articles_of(row)
    return ParsedFetch(fetch_id, row["feed_id"], articles, partial=parsed.partial, error=parsed.error)


def load_parsed(conn, fetches: list[ParsedFetch]) -> list[tuple[load.Processed, list[int]]]:
    """Load parsed fetches (the caller holds them) in batches of one transaction each: load_batch."""
    out, batch, items = [], [], 0
    for fetch in fetches:
        batch.append(fetch)
        items += len(fetch.articles)
        if _batch_full(len(batch), items):
            out.extend(load_batch(conn, batch))
            batch, items = [], 0
    if batch:
        out.extend(load_batch(conn, batch))
    return out


def load_batch(conn, batch: list[ParsedFetch]) -> list[tuple[load.Processed, list[int]]]:
    """Load the fetches' articles and mark the fetches processed, then commit: one transaction, with one check, one
    COPY and one upsert for all their rows as far as they allow (load.load_fetches), and one statement marking
    them. A crash leaves every one of them unprocessed. If the database refuses a row, the batch is loaded fetch by
    fetch instead, and the refused rows set aside; return each fetch's outcome and the ids of its items written."""
    with conn.cursor() as cur:
        cur.execute("SAVEPOINT load_batch")
        try:
            loaded = [(counts, ids, []) for counts, ids in
                      load.load_fetches(conn, [(f.feed_id, f.fetch_id, f.articles) for f in batch])]
        except _ROW_ERRORS:
            cur.execute("ROLLBACK TO SAVEPOINT load_batch")
            loaded = [_load_fetch(conn, f.feed_id, f.fetch_id, f.articles, whole=len(batch) > 1) for f in batch]
    out = []
    for fetch, (counts, ids, rejected) in zip(batch, loaded):
        error = "; ".join(filter(None, [fetch.error, *rejected])) or None
        out.append((load.Processed(fetch.fetch_id, len(fetch.articles), counts,
                                   partial=fetch.partial or bool(rejected), error=error), ids))
    load.mark_processed(conn, [processed for processed, _ in out])
    conn.commit()
    return out


def _load_fetch(conn, feed_id: int, fetch_id: int, articles: list, *,
                whole: bool = True) -> tuple[LoadCounts, list[int], list[str]]:
    """Load a fetch's articles (at once unless `whole` is false); if the database refuses them, load them one by one
    and set aside the bad ones. Returns the counts, the ids written and what was set aside."""
    # Without this, one entry the database refuses (a 9 kB GUID overflows the identity index) failed its whole
    # fetch on every retry and, raising out of process_pending, held up every fetch queued behind it.
    with conn.cursor() as cur:
        if whole:
            cur.execute("SAVEPOINT load_fetch")
            try:
                counts, ids = load.load_articles(conn, feed_id, fetch_id, articles, commit=False)
                return counts, ids, []
            except _ROW_ERRORS:
                cur.execute("ROLLBACK TO SAVEPOINT load_fetch")
        new = updated = unchanged = 0
        written, rejected, seen = [], [], set()
        for article in articles:
            identity = item_identity(article.item)
            if identity in seen:  # as in one batch: a feed listing one entry twice keeps the first copy
                continue
            seen.add(identity)
            cur.execute("SAVEPOINT load_item")
            try:
                one, ids = load.load_articles(conn, feed_id, fetch_id, [article], commit=False)
            except _ROW_ERRORS as exc:
                cur.execute("ROLLBACK TO SAVEPOINT load_item")
                reason = getattr(getattr(exc, "diag", None), "message_primary", None) or str(exc)
                rejected.append(f"entry {identity[:80]!r} rejected: {reason}")
                log.warning("fetch %s: entry %.80r rejected by the database: %s", fetch_id, identity, reason)
                continue
            new, updated, unchanged = new + one.new, updated + one.updated, unchanged + one.unchanged
            written.extend(ids)
    return LoadCounts(new=new, updated=updated, unchanged=unchanged), written, rejected
