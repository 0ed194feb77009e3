"""JSON Feed 1.0/1.1 (which feedparser does not read), refusing hostile JSON with a clear error."""
from __future__ import annotations

import codecs
import html
import json
import re
from datetime import tzinfo
from urllib.parse import urljoin

from wirefeed.errors import ParseError
from wirefeed.models import Enclosure, Item, ParseResult
from wirefeed.parse.dates import parse_date
from wirefeed.urls import absolutize_links, canonical_url

MAX_DEPTH = 64  # a real feed nests 4 deep; a bomb nests 100,000 deep to exhaust the stack
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)
_JSON_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def load_json(data: bytes):
    """Decode and parse JSON strictly (UTF-8, or UTF-16 with a BOM); ParseError says why it is not JSON."""
    text = _decode(data)
    _check_depth(text)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"invalid JSON: {exc}") from None


def _decode(data: bytes) -> str:
    """JSON text is UTF-8 (RFC 8259); a BOM is tolerated, other bytes are an error, not a guess."""
    for bom, name in _JSON_BOMS:
        if data.startswith(bom):
            data, encoding = data[len(bom):], name
            break
    else:
        encoding = "utf-8"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ParseError(f"invalid JSON: not valid {encoding.upper()} at byte {exc.start}") from None


def _check_depth(text: str) -> None:
    """Refuse deep nesting before json.loads recurses into it (brackets outside strings only)."""
    depth = 0
    for token in _TOKENS.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ParseError(f"invalid JSON: nested deeper than {MAX_DEPTH} levels")
        elif char in "]}":
            depth -= 1


def _reject_constant(name: str):
    """NaN and Infinity are JavaScript, not JSON."""
    raise ValueError(f"{name} is not a JSON value")


def parse_jsonfeed(data: bytes, *, url: str | None = None, tz: tzinfo | None = None) -> ParseResult:
    """Parse a JSON Feed document into Items."""
    doc = load_json(data)
    if not isinstance(doc, dict) or not (isinstance(doc.get("items"), list)
                                         or str(doc.get("version", "")).startswith("https://jsonfeed.org/")):
        raise ParseError("not a JSON Feed: no 'version' naming jsonfeed.org and no 'items' list")
    base = _str(doc.get("feed_url")) or url or _str(doc.get("home_page_url"))
    language = _str(doc.get("language"))
    feed_authors = _authors(doc)
    items = tuple(_item(entry, base, url, language, feed_authors, tz)
                  for entry in doc.get("items") or [] if isinstance(entry, dict))
    version = _str(doc.get("version")).rstrip("/").rsplit("/", 1)[-1]
    return ParseResult(items=items, feed_title=_str(doc.get("title")),
                       feed_link=canonical_url(_str(doc.get("home_page_url")), base) or None,
                       format=f"json{version.replace('.', '')}" if version else "json", language=language or None)


def _item(entry: dict, base: str | None, source: str | None, language: str | None,
          feed_authors: tuple[str, ...], tz: tzinfo | None) -> Item:
    """One JSON Feed item as an Item."""
    content_html = _str(entry.get("content_html"))
    if not content_html and entry.get("content_text"):
        content_html = _text_to_html(_str(entry.get("content_text")))
    link = _str(entry.get("url")) or _str(entry.get("external_url")) or None
    published = parse_date(_str(entry.get("date_published")), tz)
    updated = parse_date(_str(entry.get("date_modified")), tz)
    tags = entry.get("tags") if isinstance(entry.get("tags"), list) else []
    guid = entry.get("id")
    return Item(
        guid=str(guid) if isinstance(guid, (str, int)) and not isinstance(guid, bool) and str(guid) else None,
        link=_join(base, link),
        title=html.unescape(_str(entry.get("title"))),  # plain text per the spec, yet often entity-encoded
        authors=_authors(entry) or feed_authors,
        published_at=published or updated,
        updated_at=updated,
        summary_html=html.escape(_str(entry.get("summary")), quote=False),
        content_html=absolutize_links(content_html, base),
        categories=tuple(dict.fromkeys(t.strip() for t in tags if isinstance(t, str) and t.strip())),
        enclosures=_enclosures(entry, base),
        language=_str(entry.get("language")) or language,
        source=source,
    )


def _authors(obj: dict) -> tuple[str, ...]:
    """Names from `authors` (1.1) and the deprecated `author` (1.0), which feeds mix."""
    people = obj.get("authors")
    people = people if isinstance(people, list) else [people]
    people = people + [obj.get("author")]
    names = (_str(p.get("name")).strip() for p in people if isinstance(p, dict))
    return tuple(dict.fromkeys(n for n in names if n))


def _enclosures(entry: dict, base: str | None) -> tuple[Enclosure, ...]:
    """Attachments, then the item's image and banner image."""
    found: dict[str, Enclosure] = {}
    for att in entry.get("attachments") or []:
        if isinstance(att, dict) and _str(att.get("url")):
            href = _join(base, _str(att["url"]))
            size = att.get("size_in_bytes")
            found.setdefault(href, Enclosure(url=href, type=_str(att.get("mime_type")) or None,
                                             length=size if isinstance(size, int) and not isinstance(size, bool) else None))
    for key in ("image", "banner_image"):
        if _str(entry.get(key)):
            href = _join(base, _str(entry[key]))
            found.setdefault(href, Enclosure(url=href, type="image"))
    return tuple(found.values())


def _text_to_html(text: str) -> str:
    """Plain text as HTML paragraphs, one per blank-line-separated block."""
    blocks = (b.strip() for b in text.replace("\r\n", "\n").split("\n\n"))
    return "".join(f"<p>{html.escape(b, quote=False)}</p>" for b in blocks if b)


def _str(value) -> str:
    """A string field, or '' for a missing or mistyped one (feeds put numbers and nulls anywhere)."""
    return value if isinstance(value, str) else ""


def _join(base: str | None, link: str | None) -> str | None:
    """A link resolved against the feed's URL (kept as written when it cannot be)."""
    if not link or not base:
        return link or None
    try:
        return urljoin(base, link.strip())
    except ValueError:
        return link
