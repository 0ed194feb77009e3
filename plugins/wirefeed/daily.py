"""The daily run's steps: re-process one interval from the raw landing table and re-cluster its items."""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime

from wirefeed import load, pipeline
from wirefeed.db import dict_cursor
from wirefeed.identity import item_identity

log = logging.getLogger(__name__)

@dataclass
class DayCounts:
    """What re-processing one interval did."""

    fetches: int = 0
    first_time: int = 0  # landed but never processed (the event path missed them): processed now
    reparsed: int = 0
    items_new: int = 0
    items_updated: int = 0
    items_superseded: int = 0  # a later fetch holds the item's newer version: left as it is
    clustered: int = 0

    def as_dict(self) -> dict:
        """The counts as a JSON-able dict."""
        return asdict(self)


def interval_fetches(conn, start: datetime, end: datetime) -> list[tuple[int, bool]]:
    """(id, processed) of the fetches with a body landed in [start, end), in landing order."""
    with conn.cursor() as cur:
        cur.execute("""SELECT id, processed_at IS NOT NULL FROM fetches
                       WHERE fetched_at >= %s AND fetched_at < %s AND body IS NOT NULL ORDER BY id""", (start, end))
        rows = cur.fetchall()
    conn.commit()
    return rows


def reprocess_interval(conn, start: datetime, end: datetime) -> DayCounts:
    """Parse every fetch of the interval again and load it; a re-run with the same code changes nothing.

    An item is only ever rewritten from the fetch that last changed it or a later one, so re-running
    an old day never rolls an item back to an older version, whatever order the days run in.
    """
    counts = DayCounts()
    for fetch_id, processed in interval_fetches(conn, start, end):
        counts.fetches += 1
        if processed:
            _reparse(conn, fetch_id, counts)
            continue
        _, result, _ = pipeline.process_fetch(conn, fetch_id)
        counts.first_time += 1
        counts.items_new += result.new
        counts.items_updated += result.updated
    log.info("interval %s..%s re-processed: %s", start, end, counts.as_dict())
    return counts


def _reparse(conn, fetch_id: int, counts: DayCounts) -> None:
    """Re-parse one processed fetch (parsed as of its landing time) and upsert what it still owns."""
    with dict_cursor(conn) as cur:
        cur.execute("""SELECT f.feed_id, f.final_url, f.url, f.content_type, f.body, f.fetched_at, feeds.outlet
                       FROM fetches f JOIN feeds ON feeds.id = f.feed_id WHERE f.id = %s""", (fetch_id,))
        row = cur.fetchone()
        _, articles = pipeline.articles_of(row)
        cur.execute("""SELECT identity FROM items WHERE feed_id = %s AND identity = ANY(%s) AND fetch_id > %s""",
                    (row["feed_id"], [item_identity(a.item) for a in articles], fetch_id))
        newer = {r["identity"] for r in cur.fetchall()}
    owned = [a for a in articles if item_identity(a.item) not in newer]
    result, _ = load.load_articles(conn, row["feed_id"], fetch_id, owned)
    counts.reparsed += 1
    counts.items_superseded += len(articles) - len(owned)
    counts.items_new += result.new
    counts.items_updated += result.updated


def recluster_interval(conn, start: datetime, end: datetime) -> int:
    """Assign the interval's items (loaded from its fetches or published in it) to stories; return how many."""
    with conn.cursor() as cur:
        cur.execute("""SELECT i.id FROM items i LEFT JOIN fetches f ON f.id = i.fetch_id
                       WHERE (f.fetched_at >= %(s)s AND f.fetched_at < %(e)s)
                          OR (i.published_at >= %(s)s AND i.published_at < %(e)s)
                       ORDER BY i.id""", {"s": start, "e": end})
        item_ids = [row[0] for row in cur.fetchall()]
    conn.commit()
    # Items already fingerprinted in their current version are skipped: a re-run re-clusters nothing.
    clustered = pipeline.cluster_items(conn, item_ids)["items"]
    log.info("interval %s..%s: %d items, %d (re)clustered", start, end, len(item_ids), clustered)
    return clustered
