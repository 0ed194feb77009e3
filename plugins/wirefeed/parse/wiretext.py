"""Plain-text wire exports: date header, the headline (often twice), then the body kept faithfully."""
from __future__ import annotations

import html
import re
from datetime import tzinfo

from wirefeed.errors import ParseError
from wirefeed.models import Item, ParseResult
from wirefeed.parse.dates import parse_date

# Outlets' exports open with " date 2025-05-20 DT" (the trailing code varies or is absent).
_DATE_HEADER = re.compile(r"^\s*date\s*[:=]?\s*(\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d)?)?)(?:\s+\S+)?\s*$",
                          re.IGNORECASE)
_MAX_DATE_LINE = 40  # a line that is only a date ("May 20, 2025"), not a sentence mentioning one


def looks_like_wiretext(text: str) -> bool:
    """True when the text opens with a wire export's date header."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return bool(_DATE_HEADER.match(first))


def parse_wiretext(text: str, *, url: str | None = None, tz: tzinfo | None = None) -> ParseResult:
    """One Item from a wire export: title from the headline, body lines kept (agency, date line, disclaimer)."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        raise ParseError("empty text document")
    published = None
    header = _DATE_HEADER.match(lines[0])
    if header:
        published = parse_date(header.group(1), tz)
        lines = lines[1:]
    if not lines:
        raise ParseError("wire export with a date header but no headline")
    title, body = lines[0], lines[1:]
    if body and body[0].casefold() == title.casefold():  # exporters print the headline twice
        body = body[1:]
    if published is None:
        published = next((d for d in (parse_date(line, tz) for line in body[:4] if len(line) <= _MAX_DATE_LINE)
                          if d), None)
    content = "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in body)
    item = Item(title=title, published_at=published, content_html=content, source=url)
    return ParseResult(items=(item,), feed_title="", format="wiretext")
