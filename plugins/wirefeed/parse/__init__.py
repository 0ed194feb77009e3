"""Bytes -> Items: detects the format of a document and hands it to the right parser."""
from __future__ import annotations

import dataclasses
import re
import zlib
from datetime import datetime, timezone, tzinfo
from urllib.parse import urljoin

from lxml import etree

from wirefeed import config
from wirefeed.errors import ParseError
from wirefeed.models import Item, ParseResult
from wirefeed.parse.dates import settle
from wirefeed.parse.encoding import decode, sniff_bom, sniff_utf16
from wirefeed.parse.feed import parse_feed
from wirefeed.parse.html import parse_html
from wirefeed.parse.jsonfeed import parse_jsonfeed
from wirefeed.parse.wiretext import looks_like_wiretext, parse_wiretext
from wirefeed.urls import canonical_url

_FEED_ROOT = re.compile(rb"<(?:\w+:)?(?:rss|feed|rdf|channel)[\s>/:]", re.IGNORECASE)
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE)
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_GZIP_MAGIC = b"\x1f\x8b"


def detect(data: bytes, content_type: str | None = None) -> str:
    """The format of a document: 'feed' (RSS/Atom/RDF), 'json', 'html', 'text' or 'binary'."""
    head = _ascii_head(data)
    kind = (content_type or "").split(";")[0].strip().lower()
    if head.startswith((b"{", b"[")) or (kind.endswith("json") and not head.startswith(b"<")):
        return "json"
    if _FEED_ROOT.search(head):  # also behind junk a broken server printed first (PHP warnings...)
        return "feed"
    if head.startswith(b"<"):
        if _HTML_ROOT.search(head) or "html" in kind:
            return "html"
        return "feed"  # some other XML: feedparser says precisely what is wrong with it
    if _BINARY.search(head):
        return "binary"
    return "html" if kind == "text/html" else "text"


def parse(data: bytes, *, url: str | None = None, content_type: str | None = None,
          tz: tzinfo | None = None, now: datetime | None = None) -> ParseResult:
    """Parse one fetched document (never a URL: the bytes are already landed).

    `tz` is the feed's zone for naive times (UTC when None); `now` the fetch time, against which
    dates more than a day ahead are clamped (naive means UTC). A document that cannot be read comes
    back with `error` set and no items, never as an exception; a broken one that still gave items has
    `partial` set and the reason in `error`.
    """
    try:
        result = _parse(_gunzip(data), url, content_type, tz)
    except ParseError as exc:
        return ParseResult(items=(), error=str(exc))
    except (ValueError, RecursionError, UnicodeError, etree.Error) as exc:
        # Third-party parsers raise these on hostile bytes; the fetch is recorded as failed, not retried.
        return ParseResult(items=(), error=f"unreadable document: {exc.__class__.__name__}: {exc}")
    now = now or datetime.now(timezone.utc)
    return _finish(result, url, now if now.tzinfo else now.replace(tzinfo=timezone.utc))


def _parse(data: bytes, url: str | None, content_type: str | None, tz: tzinfo | None) -> ParseResult:
    """Dispatch on the detected format."""
    if not data.strip():
        raise ParseError("empty document")
    kind = detect(data, content_type)
    if kind == "json":
        return parse_jsonfeed(data, url=url, tz=tz)
    if kind == "feed":
        return parse_feed(data, url=url, content_type=content_type, tz=tz)
    if kind == "binary":
        raise ParseError("not a feed: binary content")
    text, _ = decode(data, content_type)
    if kind == "html":
        return parse_html(text, url=url, tz=tz)
    if looks_like_wiretext(text) or (content_type or "").startswith("text/plain"):
        return parse_wiretext(text, url=url, tz=tz)
    raise ParseError("not a feed: text that is neither XML, JSON, HTML nor a wire export with a date header")


def _finish(result: ParseResult, base: str | None, now: datetime) -> ParseResult:
    """What every format shares: canonical URLs, settled dates and their flags."""
    items = tuple(_finish_item(item, base, now) for item in result.items)
    return dataclasses.replace(result, items=items)


def _finish_item(item: Item, base: str | None, now: datetime) -> Item:
    """One item with its canonical URL, publication date settled and flags set."""
    url = canonical_url(item.url or item.link, base)  # a parser may know a better target (FeedBurner)
    if url is None and item.guid and item.guid.startswith(("http://", "https://")):
        url = canonical_url(item.guid)  # RSS guids are permalinks unless isPermaLink="false"
    enclosures = tuple(dataclasses.replace(e, url=urljoin(base, e.url)) for e in item.enclosures) if base \
        else item.enclosures
    published, flags = settle(item.published_at, now)
    updated = item.updated_at if item.updated_at is None or item.updated_at <= now else now
    return dataclasses.replace(item, url=url, published_at=published, updated_at=updated, enclosures=enclosures,
                               flags=tuple(dict.fromkeys(item.flags + flags)), source=item.source or base)


def _ascii_head(data: bytes) -> bytes:
    """The first bytes as ASCII-compatible text (UTF-16/32 narrowed), without BOM and leading space."""
    encoding, skip = sniff_bom(data)
    encoding = encoding or sniff_utf16(data)
    head = data[skip:skip + 4096]
    if encoding and not encoding.startswith("utf-8"):
        head = head.decode(encoding, errors="ignore").encode("ascii", errors="ignore")
    return head.lstrip()


def _gunzip(data: bytes) -> bytes:
    """A gzip-compressed document inflated, capped so a compression bomb cannot exhaust memory."""
    if not data.startswith(_GZIP_MAGIC):
        return data
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, config.MAX_BODY_BYTES * 4)
    except zlib.error as exc:
        raise ParseError(f"corrupt gzip data: {exc}") from None
    if inflater.unconsumed_tail:
        raise ParseError(f"gzip data inflates beyond {config.MAX_BODY_BYTES * 4} bytes")
    if not inflater.eof:
        raise ParseError("corrupt gzip data: truncated stream")
    return out
