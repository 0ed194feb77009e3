"""The pipeline's steps as plain functions over a connection; DAG tasks and the CLI call these."""
from __future__ import annotations

import heapq
import logging
import math
import threading
import time
import zlib
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
    """Parse, clean and load every landed fetch not yet processed, oldest first."""
    counts = RunCounts()
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM fetches WHERE processed_at IS NULL AND body IS NOT NULL ORDER BY id LIMIT %s",
                    (limit,))
        fetch_ids = [row[0] for row in cur.fetchall()]
    conn.commit()
    for fetch_id in fetch_ids:
        found, result, error = process_fetch(conn, fetch_id)
        counts.fetches += 1
        counts.items_found += found
        counts.items_new += result.new
        counts.items_updated += result.updated
        counts.items_unchanged += result.unchanged
        if error:
            counts.failed += 1
            counts.errors.append(f"fetch {fetch_id}: {error}")
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
    """Parse one landed fetch and load its items and its processed mark in one transaction."""
    with dict_cursor(conn) as cur:
        # SKIP LOCKED: two runs at once each take different fetches instead of doubling work.
        cur.execute("""SELECT f.id, f.feed_id, f.final_url, f.url, f.content_type, f.body, f.fetched_at, feeds.outlet
                       FROM fetches f JOIN feeds ON feeds.id = f.feed_id
                       WHERE f.id = %s AND f.processed_at IS NULL FOR UPDATE OF f SKIP LOCKED""", (fetch_id,))
        row = cur.fetchone()
    if row is None:
        conn.rollback()
        return 0, LoadCounts(), None
    parsed, articles = articles_of(row)
    counts, rejected = _load_fetch(conn, row["feed_id"], fetch_id, articles)
    error = "; ".join(filter(None, [parsed.error, *rejected])) or None
    load.mark_processed(conn, fetch_id, found=len(articles), counts=counts, partial=parsed.partial or bool(rejected),
                        error=error, commit=False)
    conn.commit()
    return len(articles), counts, error


def _load_fetch(conn, feed_id: int, fetch_id: int, articles: list) -> tuple[LoadCounts, list[str]]:
    """Load a fetch's articles; if the database refuses the batch, load them one by one and set aside the bad ones."""
    # Without this, one entry the database refuses (a 9 kB GUID overflows the identity index) failed its whole
    # fetch on every retry and, raising out of process_pending, held up every fetch queued behind it.
    with conn.cursor() as cur:
        cur.execute("SAVEPOINT load_fetch")
        try:
            counts, _ = load.load_articles(conn, feed_id, fetch_id, articles, commit=False)
            return counts, []
        except _ROW_ERRORS:
            cur.execute("ROLLBACK TO SAVEPOINT load_fetch")
        new = updated = unchanged = 0
        rejected, seen = [], set()
        for article in articles:
            identity = item_identity(article.item)
            if identity in seen:  # as in one batch: a feed listing one entry twice keeps the first copy
                continue
            seen.add(identity)
            cur.execute("SAVEPOINT load_item")
            try:
                one, _ = load.load_articles(conn, feed_id, fetch_id, [article], commit=False)
            except _ROW_ERRORS as exc:
                cur.execute("ROLLBACK TO SAVEPOINT load_item")
                reason = getattr(getattr(exc, "diag", None), "message_primary", None) or str(exc)
                rejected.append(f"entry {identity[:80]!r} rejected: {reason}")
                log.warning("fetch %s: entry %.80r rejected by the database: %s", fetch_id, identity, reason)
                continue
            new, updated, unchanged = new + one.new, updated + one.updated, unchanged + one.unchanged
    return LoadCounts(new=new, updated=updated, unchanged=unchanged), rejected
