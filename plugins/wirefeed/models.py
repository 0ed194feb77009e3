"""Typed records that flow between the pipeline stages (all frozen: stages never mutate)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Feed:
    """One feed of the registry, as configured in feeds.yaml or OPML."""

    url: str
    name: str = ""
    outlet: str | None = None
    country: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = ()
    poll_interval_s: int | None = None
    settings: dict = field(default_factory=dict, compare=False, hash=False)
    id: int | None = None


@dataclass(frozen=True)
class Fetch:
    """The outcome of one HTTP fetch (or one dropped file): raw landing material."""

    url: str
    status: int | None = None
    body: bytes | None = None
    final_url: str | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    headers: dict = field(default_factory=dict, compare=False, hash=False)
    elapsed_ms: int | None = None
    content_hash: str | None = None
    error: str | None = None
    not_modified: bool = False
    fetched_at: datetime | None = None
    feed_id: int | None = None
    id: int | None = None
    redirects: tuple[tuple[int, str], ...] = ()  # (status, target) per hop followed
    error_kind: str | None = None  # http, timeout, dns, tls, connect, blocked, too_large, redirect, ...
    remote_addr: str | None = None  # the IP address actually connected to
    wire_bytes: int | None = None  # body bytes as received, before decompression

    @property
    def ok(self) -> bool:
        """True when the fetch produced a body to parse."""
        return self.error is None and self.body is not None and not self.not_modified


@dataclass(frozen=True)
class Enclosure:
    """A media attachment of an item."""

    url: str
    type: str | None = None
    length: int | None = None


@dataclass(frozen=True)
class Item:
    """One feed entry as parsed, and after clean() with html/text filled in."""

    guid: str | None = None
    link: str | None = None
    url: str | None = None  # canonical URL
    title: str = ""
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None
    updated_at: datetime | None = None
    summary_html: str = ""
    content_html: str = ""
    categories: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()
    language: str | None = None
    source: str | None = None
    html: str = ""  # sanitized HTML, set by clean
    text: str = ""  # plain text with paragraph breaks, set by clean
    flags: tuple[str, ...] = ()  # e.g. "date_missing", "date_clamped"


@dataclass(frozen=True)
class ParseResult:
    """What parse() made of one document: its items and whether it was broken."""

    items: tuple[Item, ...]
    feed_title: str = ""
    feed_link: str | None = None
    format: str = ""
    partial: bool = False
    error: str | None = None
    ttl_minutes: int | None = None
    language: str | None = None  # the feed's declared language (items inherit it)


@dataclass(frozen=True)
class Dateline:
    """The dateline that opens a wire story."""

    raw: str
    place: str | None = None
    region: str | None = None
    country_code: str | None = None
    date: date | None = None


@dataclass(frozen=True)
class Article:
    """An item with wire metadata extracted and its wrapping removed from the text."""

    item: Item
    title: str
    text: str  # body without dateline, repeated headline, sign-offs and disclaimers
    agencies: tuple[str, ...] = ()
    dateline: Dateline | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    published_at: datetime | None = None
    word_count: int = 0
    syndicated: bool = False
    syndicated_by: str | None = None
    removed: tuple[str, ...] = ()  # the wrapping that was cut from the text


@dataclass(frozen=True)
class Story:
    """A cluster of copies of one story across outlets."""

    id: int | None
    canonical_item_id: int
    item_ids: tuple[int, ...]
    agencies: tuple[str, ...] = ()
    dateline: Dateline | None = None
    outlets: tuple[str, ...] = ()
    first_seen_at: datetime | None = None
