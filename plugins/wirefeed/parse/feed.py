"""RSS 0.9x/1.0/2.0, RDF and Atom 0.3/1.0 through feedparser (or its lxml fast path), always fed bytes so it never
touches the network."""
from __future__ import annotations

import re
from datetime import datetime, tzinfo

import feedparser
from feedparser.exceptions import ThingsNobodyCaresAboutButMe
from lxml import etree

from wirefeed.clean import html_to_text
from wirefeed.errors import ParseError
from wirefeed.models import Enclosure, Item, ParseResult
from wirefeed.parse.dates import parse_date
from wirefeed.parse.encoding import sniff_utf16
from wirefeed.parse.fastfeed import fast_parse
from wirefeed.urls import absolutize_links

# Entity declarations are where XML attacks live (external files, billion laughs, quadratic blowup).
_DOCTYPE = re.compile(rb"<!DOCTYPE\s+([^\s\[>]+)[^\[>]*(?:\[(.*?)\]\s*)?>", re.DOTALL | re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY\s+(%\s*)?([\w.:\-]+)\s+(?:\"([^\"]*)\"|'([^']*)'|(SYSTEM|PUBLIC)[^>]*)\s*>",
                     re.IGNORECASE)
_XML_ENCODING = re.compile(rb"(?<=<\?xml)([^>]*?)\sencoding\s*=\s*[\"'][^\"']*[\"']")
_MAILTO_TAIL = re.compile(r"\s*\((?:mailto:)?[^)]*$")
_MAX_KEPT_ENTITY = 64  # a literal this short expanded a thousand times is still harmless
_ITEM_TAG = re.compile(rb"<(?:\w+:)?(?:item|entry)[\s>]")


def defuse_doctype(data: bytes) -> bytes:
    """The document with only short literal entities kept in its DOCTYPE: no external or nested ones."""
    start = data[:4096].upper().find(b"<!DOCTYPE")
    match = _DOCTYPE.match(data, start) if start >= 0 else None
    if not match:
        return data
    subset = match.group(2) or b""
    kept = [m.group(0) for m in _ENTITY.finditer(subset)
            if not m.group(1) and not m.group(5) and _short_literal(m.group(3) if m.group(3) is not None else m.group(4))]
    # feedparser's own DOCTYPE handling needs the subset on lines of its own.
    doctype = b"<!DOCTYPE " + match.group(1) + (b" [\n" + b"\n".join(kept) + b"\n]>" if kept else b">")
    return data[:match.start()] + doctype + data[match.end():]


def _short_literal(value: bytes) -> bool:
    """True for an entity value that cannot expand into anything (no references, bounded size)."""
    return len(value) <= _MAX_KEPT_ENTITY and b"&" not in value and b"%" not in value and b"<" not in value


def parse_feed(data: bytes, *, url: str | None = None, content_type: str | None = None,
               tz: tzinfo | None = None, fast_path: bool = True) -> ParseResult:
    """Parse RSS/RDF/Atom bytes into Items; a broken document is flagged partial, or errors if nothing survives.

    Well-formed RSS 2.0 and Atom 1.0 are read by lxml (fastfeed) when it reproduces feedparser exactly;
    everything else, and everything when `fast_path` is False, by feedparser.
    """
    data, content_type = prepare(data, content_type)
    fast = fast_parse(data, url, content_type) if fast_path else None
    if fast is not None:
        return _result(fast.feed, fast.entries, fast.version, url, tz)
    parsed, problem = _feedparser(data, url, content_type)
    if problem and _ITEM_TAG.search(data):
        # feedparser's loose parser loses entries after a mismatched tag; lxml's recovery often keeps them.
        recovered = _lxml_recover(data)
        retry = _feedparser(recovered, url, "application/xml; charset=utf-8")[0] if recovered else None
        if retry is not None and _substantial(retry) > _substantial(parsed):
            parsed = retry
    if parsed is None:
        raise ParseError(f"not a readable feed: {problem}")
    if not parsed.entries and not parsed.get("version"):
        raise ParseError(f"not a feed: {problem or 'no RSS, Atom or RDF root element'}")
    entries = [entry for entry in parsed.entries if not problem or _has_substance(entry)]
    if problem and not entries and _ITEM_TAG.search(data):
        raise ParseError(f"broken XML, no item could be recovered: {problem}")
    return _result(parsed.feed, entries, parsed.get("version"), url, tz, problem)


def prepare(data: bytes, content_type: str | None) -> tuple[bytes, str | None]:
    """The bytes and content type both parsers get: wide encodings made UTF-8, the DOCTYPE defused."""
    wide = sniff_utf16(data)
    if wide:  # feedparser misreads UTF-16/32 that has no BOM: hand it UTF-8 instead
        data = _XML_ENCODING.sub(rb"\1", data.decode(wide, errors="replace").encode("utf-8"), count=1)
        content_type = "application/xml; charset=utf-8"
    return defuse_doctype(data), content_type


def _result(feed, entries, version: str | None, url: str | None, tz: tzinfo | None,
            problem: str | None = None) -> ParseResult:
    """The ParseResult of a feed dict and its entry dicts (feedparser's or fastfeed's, alike)."""
    language = _str(feed.get("language"))
    feed_authors = _authors(feed)  # Atom: an entry without an author has the feed's
    items = tuple(_item(entry, url, language, feed_authors, tz) for entry in entries)
    return ParseResult(items=items, feed_title=_title(feed), feed_link=_str(feed.get("link")).strip() or None,
                       format=version or "xml", partial=bool(problem and items),
                       error=f"broken XML, items recovered: {problem}" if problem and items else None,
                       ttl_minutes=_int(feed.get("ttl")), language=language or None)


def _feedparser(data: bytes, url: str | None, content_type: str | None):
    """feedparser on bytes, and what was wrong with the document; (None, reason) when feedparser itself fails.

    Sanitizing is left to clean.py (nh3 is faster and stricter), and relative links in markup to
    absolutize_links (lxml resolves them in a fraction of the time feedparser's sgmllib pass takes).
    """
    headers = {}
    if content_type:
        headers["content-type"] = content_type
    if url:
        headers["content-location"] = url  # the base for relative links when the feed has no xml:base
    try:
        parsed = feedparser.parse(data, response_headers=headers, resolve_relative_uris=False, sanitize_html=False)
    except (ValueError, TypeError, LookupError, RecursionError) as exc:  # e.g. chr() of "&#xFFFFFF;"
        return None, f"{exc.__class__.__name__}: {exc}"
    return parsed, _problem(parsed)


def _substantial(parsed) -> int:
    """How many entries with content a parse produced (0 for a failed one)."""
    return sum(map(_has_substance, parsed.entries)) if parsed is not None else 0


def _problem(parsed) -> str | None:
    """What was wrong with the document, ignoring what feedparser flags but any reader copes with."""
    if not parsed.bozo:
        return None
    exc = parsed.get("bozo_exception")
    if isinstance(exc, ThingsNobodyCaresAboutButMe):
        return None
    return f"{exc.__class__.__name__}: {exc}" if exc else "ill-formed document"


def _lxml_recover(data: bytes) -> bytes | None:
    """lxml's recovering parser as a second chance: no DTD, no entities, no network."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return None if root is None else etree.tostring(root, encoding="utf-8", xml_declaration=True)


def _item(entry, base: str | None, feed_language: str | None, feed_authors: tuple[str, ...],
          tz: tzinfo | None) -> Item:
    """One feedparser entry as an Item (every field type-checked: broken feeds put None or dicts anywhere)."""
    content = _best_content(entry.get("content"))
    content_html = _markup(content.get("value"), content, base) if content else ""
    summary_detail = entry.get("summary_detail")
    if content and entry.get("summary") is content.get("value") and \
            (_base_of(summary_detail) or base) == (_base_of(content) or base):
        summary_html = content_html  # the summary feedparser copied from the content: resolve its links once
    else:
        summary_html = _markup(entry.get("summary"), summary_detail, base)
    published = _date(entry, "published", tz)
    # entry.get("updated") falls back to the published string: parse a repeated string once
    updated = published if _str(entry.get("updated")) == _str(entry.get("published")) else _date(entry, "updated", tz)
    return Item(
        guid=_str(entry.get("id")) or None,
        link=_link(entry),
        url=_str(entry.get("feedburner_origlink")).strip() or None,  # the article behind FeedBurner's proxy
        title=_title(entry),
        authors=_authors(entry) or feed_authors,
        published_at=published or updated,
        updated_at=updated,
        summary_html=summary_html,
        content_html=content_html,
        categories=tuple(dict.fromkeys(filter(None, (_str(t.get("term")) or _str(t.get("label"))
                                                     for t in _dicts(entry.get("tags")))))),
        enclosures=_enclosures(entry, base),
        language=_language(entry, content) or feed_language or None,
        source=base,
    )


def _markup(value, detail, base: str | None) -> str:
    """An HTML field with relative links resolved against its own xml:base (feedparser tracks it per element)."""
    element_base = _base_of(detail)
    value = _str(value)
    if not _may_link(value):
        return value
    return absolutize_links(value, element_base or base)


def _base_of(detail) -> str:
    """The xml:base feedparser recorded for an element ('' when none)."""
    return _str(detail.get("base")) if isinstance(detail, dict) else ""


def _may_link(html: str) -> bool:
    """False when no href or src appears at all, so absolutize_links' slow case-insensitive scan can be skipped."""
    lowered = html.lower()
    return "href" in lowered or "src" in lowered or "ſrc" in lowered  # ignoring case, re also reads ſ as s


def _language(entry, content: dict | None) -> str:
    """The entry's language: dc:language, else the xml:lang of its content, title or summary."""
    candidates = [entry.get("language"), content.get("language") if content else None]
    candidates += [d.get("language") for d in (entry.get("title_detail"), entry.get("summary_detail"))
                   if isinstance(d, dict)]
    return next((_str(c).strip().replace("_", "-") for c in candidates if _str(c).strip()), "")


def _has_substance(entry) -> bool:
    """False for an entry a recovering parser opened but found nothing in (no title, link, id or body)."""
    return any(entry.get(key) for key in ("title", "link", "id", "summary", "content", "enclosures"))


def _best_content(contents) -> dict | None:
    """The richest content block: HTML over plain text, then the longest."""
    blocks = _dicts(contents)
    if not blocks:
        return None
    return max(blocks, key=lambda c: ("html" in _str(c.get("type")), len(_str(c.get("value")))))


def _title(entry) -> str:
    """The title of an entry or feed as plain text: feedparser keeps markup in titles typed html."""
    title = _str(entry.get("title"))
    detail = entry.get("title_detail")
    if isinstance(detail, dict) and "html" in _str(detail.get("type")):
        return html_to_text(title)
    return title


def _link(entry) -> str | None:
    """The entry's link as the feed gives it: the alternate link, else the first link of any kind."""
    for candidate in (entry.get("link"),
                      *(link.get("href") for link in _dicts(entry.get("links")))):
        if _str(candidate).strip():
            return _str(candidate)
    return None


def _authors(entry) -> tuple[str, ...]:
    """Author names (Atom, dc:creator, RSS author e-mail forms), de-duplicated in order."""
    names = [_str(a.get("name")) or _str(a.get("email")) for a in _dicts(entry.get("authors"))]
    if not any(names):
        names = [_str(entry.get("author"))]
    # feedparser splits "Name (mailto:a@b.c)" into the name "Name (mailto:" and the e-mail
    names = (_MAILTO_TAIL.sub("", n).strip() for n in names)
    return tuple(dict.fromkeys(n for n in names if n))


def _enclosures(entry, base: str | None) -> tuple[Enclosure, ...]:
    """Enclosures, Media RSS content and thumbnails, one per URL."""
    found: dict[str, Enclosure] = {}
    for enc in _dicts(entry.get("enclosures")):
        href = _str(enc.get("href")).strip()
        if href and href != base and href not in found:  # href="" comes back resolved to the document URL
            found[href] = Enclosure(url=href, type=_str(enc.get("type")) or None, length=_int(enc.get("length")))
    for media in _dicts(entry.get("media_content")):
        href = _str(media.get("url")).strip()
        if href and href not in found:
            found[href] = Enclosure(url=href, type=_str(media.get("type")) or None,
                                    length=_int(media.get("filesize")))
    for thumbnail in _dicts(entry.get("media_thumbnail")):
        href = _str(thumbnail.get("url")).strip()
        if href and href not in found:
            found[href] = Enclosure(url=href, type="image")
    return tuple(found.values())


def _date(entry, key: str, tz: tzinfo | None) -> datetime | None:
    """An entry date in UTC, read by parse_date from the raw string.

    Not feedparser's `*_parsed`: it takes naive and IANA-zoned times for UTC, reads "CEST" as UTC,
    turns "2020/1/10 14:33" into November and drops fractions of a second.
    """
    return parse_date(_str(entry.get(key)), tz)


def _str(value) -> str:
    """A string field, or '' for None and the dicts feedparser leaves where markup was broken."""
    return value if isinstance(value, str) else ""


def _dicts(value) -> list:
    """The dicts of a list field ([] for anything else)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _int(value) -> int | None:
    """An int, or None for what is not one."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None
