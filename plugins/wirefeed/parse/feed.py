"""RSS, RDF and Atom through feedparser, always fed bytes so it never touches the network."""
from __future__ import annotations

import calendar
from datetime import datetime, timezone

import feedparser

from wirefeed.models import Enclosure, Item, ParseResult


def parse_feed(data: bytes, *, url: str | None = None, content_type: str | None = None) -> ParseResult:
    """Parse RSS/RDF/Atom bytes into Items; a broken document is flagged partial or errored."""
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(data, response_headers=headers, resolve_relative_uris=True,
                              sanitize_html=False)
    items = tuple(_item(entry, url) for entry in parsed.entries)
    error = None
    if parsed.bozo and not items:
        error = f"not a readable feed: {parsed.get('bozo_exception')}"
    return ParseResult(items=items, feed_title=parsed.feed.get("title", ""), feed_link=parsed.feed.get("link"),
                       format=parsed.get("version") or "", partial=bool(parsed.bozo and items), error=error)


def _item(entry, source: str | None) -> Item:
    """One feedparser entry as an Item."""
    content = entry.get("content") or []
    authors = tuple(a.get("name") for a in entry.get("authors", []) if a.get("name"))
    enclosures = tuple(Enclosure(url=e.get("href"), type=e.get("type"), length=_int(e.get("length")))
                       for e in entry.get("enclosures", []) if e.get("href"))
    return Item(
        guid=entry.get("id"),
        link=entry.get("link"),
        url=entry.get("link"),
        title=entry.get("title", ""),
        authors=authors,
        published_at=_time(entry.get("published_parsed")),
        updated_at=_time(entry.get("updated_parsed")),
        summary_html=entry.get("summary", ""),
        content_html=content[0].get("value", "") if content else "",
        categories=tuple(t.get("term") for t in entry.get("tags", []) if t.get("term")),
        enclosures=enclosures,
        language=(content[0].get("language") if content else None),
        source=source,
    )


def _time(value) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime."""
    return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc) if value else None


def _int(value) -> int | None:
    """An int, or None for what is not one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
