"""History for backfills: walk a feed's archive back to a date (RFC 5005 prev-archive links, WordPress ?paged=N).

A feed added today only shows its latest entries; a backfill of last month needs older ones. Where the
feed links its archive (RFC 5005 `<link rel="prev-archive">`) or is a WordPress feed (`?paged=2`, `3`...),
the daily run for a past interval walks back page by page until it reaches the interval, landing each page
as a raw fetch (the feed's own fetch state is left alone). A page already landed is not landed again, so a
re-run of the same interval adds nothing.
"""
from __future__ import annotations

import logging
import zlib
from dataclasses import asdict, dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from wirefeed import load, pipeline
from wirefeed.db import dict_cursor
from wirefeed.fetch import Fetcher, Limits
from wirefeed.parse import parse

log = logging.getLogger(__name__)

MAX_PAGES = 50  # per feed and run: a runaway archive (or a loop) stops here
_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)


@dataclass
class HistoryCounts:
    """What walking archives for one interval did."""

    feeds: int = 0  # feeds whose known items start after the interval
    pages: int = 0  # archive pages fetched
    landed: int = 0
    known: int = 0  # pages whose exact content was landed before
    items_new: int = 0
    errors: int = 0

    def as_dict(self) -> dict:
        """The counts as a JSON-able dict."""
        return asdict(self)


def older_page(body: bytes, url: str, page: int) -> tuple[str, str] | None:
    """(URL, kind) of the page before `page` of a feed document, or None when it links no older page."""
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    hrefs = root.xpath("//*[local-name()='link'][@rel='prev-archive']/@href")
    if hrefs and hrefs[0].strip():
        return urljoin(url, hrefs[0].strip()), "rfc5005"
    generator = " ".join(root.xpath("//*[local-name()='generator']//text() | //*[local-name()='generator']/@uri"))
    if "wordpress.org" in generator.lower():
        parts = urlsplit(url)
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "paged"]
        return urlunsplit(parts._replace(query=urlencode(query + [("paged", str(page + 1))]))), "paged"
    return None


def feeds_needing_history(conn, start: datetime) -> list[int]:
    """Enabled feeds with a landed body whose earliest known item is later than `start` (or that have none)."""
    with conn.cursor() as cur:
        cur.execute("""SELECT f.id FROM feeds f
                       WHERE f.enabled AND EXISTS (SELECT 1 FROM fetches x WHERE x.feed_id = f.id AND x.body IS NOT NULL)
                         AND COALESCE((SELECT min(published_at) FROM items i WHERE i.feed_id = f.id), 'infinity') > %s
                       ORDER BY f.id""", (start,))
        ids = [row[0] for row in cur.fetchall()]
    conn.commit()
    return ids


def fetch_history(conn, start: datetime, *, fetcher: Fetcher | None = None, max_pages: int = MAX_PAGES) -> HistoryCounts:
    """Walk back the archive of every feed whose known items begin after `start`; land and process each page."""
    counts = HistoryCounts()
    own = fetcher is None
    fetcher = fetcher or Fetcher()
    try:
        for feed_id in feeds_needing_history(conn, start):
            counts.feeds += 1
            _walk(conn, fetcher, feed_id, start, max_pages, counts)
    finally:
        if own:
            fetcher.close()
    log.info("history back to %s: %s", start, counts.as_dict())
    return counts


def _walk(conn, fetcher: Fetcher, feed_id: int, start: datetime, max_pages: int, counts: HistoryCounts) -> None:
    """Follow one feed's older-page links from its latest landed body until a page reaches `start`."""
    with dict_cursor(conn) as cur:
        cur.execute("""SELECT x.body, COALESCE(x.final_url, x.url) AS url, f.settings FROM fetches x
                       JOIN feeds f ON f.id = x.feed_id
                       WHERE x.feed_id = %s AND x.body IS NOT NULL
                         AND NOT x.headers ? 'x-wirefeed-archive' ORDER BY x.id DESC LIMIT 1""", (feed_id,))
        latest = cur.fetchone()
    conn.commit()
    if latest is None:
        return
    limits = Limits.from_settings(latest["settings"])
    link = older_page(zlib.decompress(bytes(latest["body"])), latest["url"], 1)
    seen = set()
    for page in range(2, max_pages + 2):
        if link is None or link[0] in seen:
            return
        url, kind = link
        seen.add(url)
        fetch = fetcher.fetch(url, limits=limits)
        counts.pages += 1
        if not fetch.ok:
            # A paged WordPress archive ends with a 404: the end of history, not a failure.
            if not (kind == "paged" and fetch.status == 404):
                counts.errors += 1
                log.warning("archive page %s of feed %d: %s", url, feed_id, fetch.error)
            return
        parsed = parse(fetch.body, url=url, content_type=fetch.content_type)
        if not parsed.items:
            return
        _land(conn, feed_id, fetch, kind, counts)
        dates = [i.published_at for i in parsed.items if i.published_at]
        if dates and min(dates) <= start:
            return
        link = older_page(fetch.body, url, page)


def _land(conn, feed_id: int, fetch, kind: str, counts: HistoryCounts) -> None:
    """Land and process one archive page unless this exact page was landed for the feed before."""
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM fetches WHERE feed_id = %s AND content_hash = %s LIMIT 1",
                    (feed_id, fetch.content_hash))
        known = cur.fetchone() is not None
    conn.commit()
    if known:
        counts.known += 1
        return
    fetch_id = load.record_archive_fetch(conn, feed_id, fetch, archive=kind)
    _, result, _ = pipeline.process_fetch(conn, fetch_id)
    counts.landed += 1
    counts.items_new += result.new
