"""Bytes -> Items: detects the format of a document and hands it to the right parser."""
from __future__ import annotations

from wirefeed.models import ParseResult
from wirefeed.parse.feed import parse_feed


def parse(data: bytes, *, url: str | None = None, content_type: str | None = None) -> ParseResult:
    """Parse one fetched document (never a URL: the bytes are already landed)."""
    return parse_feed(data, url=url, content_type=content_type)
