"""The pipeline's steps as plain functions over a connection; DAG tasks and the CLI call these."""
from __future__ import annotations

import logging
import math
import zlib
from dataclasses import dataclass, field

from wirefeed import config, load
from wirefeed.clean import clean_item
from wirefeed.db import dict_cursor
from wirefeed.fetch import fetch
from wirefeed.load import LoadCounts
from wirefeed.models import Article, Item
from wirefeed.parse import parse
from wirefeed.registry import load_registry

log = logging.getLogger(__name__)


def extract_article(item: Item, *, outlet: str | None = None) -> Article:
    """Placeholder until wirefeed.extract lands: the item as an article with nothing extracted."""
    return Article(item=item, title=item.title, text=item.text, published_at=item.published_at,
                   word_count=len(item.text.split()))


@dataclass
class RunCounts:
    """Counts a step reports to its task log and XCom (ids and counts only travel there)."""

    feeds: int = 0
    fetched: int = 0
    unchanged: int = 0
    failed: int = 0
    fetches: int = 0
    items_found: int = 0
    items_new: int = 0
    items_updated: int = 0
    items_unchanged: int = 0
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
        cur.execute("SELECT id FROM feeds WHERE enabled AND (%s OR next_fetch_at <= now()) ORDER BY id", (force,))
        ids = [row[0] for row in cur.fetchall()]
    conn.commit()
    if not ids:
        return []
    # Grow the batch rather than exceed Airflow's max_map_length.
    size = max(batch_size, math.ceil(len(ids) / max_batches))
    batches = [ids[i:i + size] for i in range(0, len(ids), size)]
    log.info("%d feeds due, %d batches of up to %d", len(ids), len(batches), size)
    return batches


def fetch_feeds(conn, feed_ids: list[int]) -> RunCounts:
    """Fetch the given feeds and land every outcome in `fetches`; one bad feed never stops the rest."""
    counts = RunCounts()
    with dict_cursor(conn) as cur:
        cur.execute("SELECT id, url, etag, last_modified, last_hash FROM feeds WHERE id = ANY(%s) ORDER BY id",
                    (list(feed_ids),))
        feeds = cur.fetchall()
    conn.commit()
    for feed in feeds:
        counts.feeds += 1
        result = fetch(feed["url"], etag=feed["etag"], last_modified=feed["last_modified"])
        # A server that ignores conditional GET still sends the same bytes: skip re-parsing them.
        same_body = result.ok and result.content_hash == feed["last_hash"]
        load.record_fetch(conn, feed["id"], result, store_body=not same_body)
        if result.error:
            counts.failed += 1
            counts.errors.append(f"{feed['url']}: {result.error}")
            log.warning("feed %s failed: %s", feed["url"], result.error)
        elif result.not_modified or same_body:
            counts.unchanged += 1
        else:
            counts.fetched += 1
    log.info("fetched %d feeds: %d new bodies, %d unchanged, %d failed",
             counts.feeds, counts.fetched, counts.unchanged, counts.failed)
    return counts


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
    return counts


def process_fetch(conn, fetch_id: int) -> tuple[int, LoadCounts, str | None]:
    """Parse one landed fetch and load its items and its processed mark in one transaction."""
    with dict_cursor(conn) as cur:
        # SKIP LOCKED: two runs at once each take different fetches instead of doubling work.
        cur.execute("""SELECT f.id, f.feed_id, f.final_url, f.url, f.content_type, f.body, feeds.outlet
                       FROM fetches f JOIN feeds ON feeds.id = f.feed_id
                       WHERE f.id = %s AND f.processed_at IS NULL FOR UPDATE OF f SKIP LOCKED""", (fetch_id,))
        row = cur.fetchone()
    if row is None:
        conn.rollback()
        return 0, LoadCounts(), None
    data = zlib.decompress(bytes(row["body"]))
    parsed = parse(data, url=row["final_url"] or row["url"], content_type=row["content_type"])
    articles = [extract_article(clean_item(item), outlet=row["outlet"]) for item in parsed.items]
    counts, _changed_ids = load.load_articles(conn, row["feed_id"], fetch_id, articles, commit=False)
    load.mark_processed(conn, fetch_id, found=len(articles), counts=counts, partial=parsed.partial,
                        error=parsed.error, commit=False)
    conn.commit()
    return len(articles), counts, parsed.error
