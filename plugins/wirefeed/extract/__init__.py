"""Wire metadata of an item: agencies, dateline, authors, language, syndication; wrapping cut from the text."""
from __future__ import annotations

import logging
import re
from datetime import datetime, timezone

from wirefeed.extract.authors import merge, split_names
from wirefeed.extract.language import detect_language
from wirefeed.extract.reflow import reflow
from wirefeed.extract.wrapping import Wrapping, cut_head, cut_tail
from wirefeed.models import Article, Item

__all__ = ["extract_article", "warm_up"]

log = logging.getLogger(__name__)

# A news story is well under 100 kB of text; past this cap it is not one, and the cap
# keeps every step linear and quick even on a 50 MB input.
MAX_TEXT_CHARS = 500_000
SHORT_TEXT = 60  # below this the detector abstains and the feed's declared language is used
MAX_WRAPPED_LINE = 100  # teletype-era columns; a longer line ended where its writer ended it
_BLANK_LINE = re.compile(r"\n[ \t\xa0]*\n")
_INLINE_SPACE = re.compile(r"[ \t\xa0\u2009\u202f]+")
# A line opening with a space, tab or no-break space; one search for the three ("\n " alone costs a str scan
# as long, its last character being a common one).
_INDENTED_LINE = re.compile(r"\n[ \t\xa0]")


def _one_space(text: str) -> str:
    """Runs of spaces, tabs and no-break spaces as one plain space (newlines kept)."""
    # Most texts hold only lone plain spaces, already right: five substring scans say so for a
    # fraction of what the substitution costs.
    if "  " in text or "\t" in text or "\xa0" in text or "\u2009" in text or "\u202f" in text:
        return _INLINE_SPACE.sub(" ", text)
    return text


def _paragraphs(text: str) -> list[list[str]]:
    """Paragraphs (split at blank lines) as lists of their stripped, non-empty lines."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # With no space after any newline, the blank lines are exactly the "\n\n"s: split without the regex.
    plain = not _INDENTED_LINE.search(text)
    out = []
    for block in text.split("\n\n") if plain else _BLANK_LINE.split(text):
        block = _one_space(block).strip()
        if "\n" in block:
            out.append([line for line in map(str.strip, block.split("\n")) if line])
        elif block:  # most paragraphs are one line
            out.append([block])
    return out


def _unwrap(lines: list[str]) -> str:
    """One paragraph's text: wrapped lines joined; lines too long to be wrapping are paragraphs of their own."""
    if len(lines) == 1:
        return lines[0]
    if any(len(line) > MAX_WRAPPED_LINE for line in lines):
        return "\n\n".join(lines)
    return " ".join(lines)


def _declared_language(item: Item, text: str) -> str | None:
    """The feed's language code ("en-US" -> "en") for a text too short to detect, else None."""
    if not item.language or not item.language[:2].isalpha() or len(text) >= SHORT_TEXT:
        return None
    return item.language[:2].lower()


def _utc(moment: datetime | None) -> datetime | None:
    """The moment in UTC; a naive datetime is taken to be UTC already."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _extract(item: Item, outlet: str | None) -> Article:
    """extract_article without the safety net."""
    title = _one_space(item.title or "").strip()
    # clean_item labels a headline-less item with its opening words: no headline to find in the text.
    headline = "" if "title_derived" in item.flags else title
    published = _utc(item.published_at)
    paragraphs = _paragraphs((item.text or "")[:MAX_TEXT_CHARS])
    found = Wrapping()
    feed_authors: list[str] = []
    for field in item.authors:
        people, agencies = split_names(field)
        feed_authors.extend(people)
        found.credit(agencies)
    paragraphs = reflow(paragraphs, headline)
    cut_head(paragraphs, headline, published, outlet, found)
    cut_tail(paragraphs, outlet, found)
    text = "\n\n".join(_unwrap(lines) for lines in paragraphs if lines)
    return Article(
        item=item,
        title=found.title or title,
        text=text,
        agencies=tuple(found.agencies),
        dateline=found.dateline,
        authors=merge(tuple(feed_authors), tuple(found.authors)),
        # The feed's declared language only when the text is too short to tell.
        language=detect_language(text or title) or _declared_language(item, text or title),
        published_at=published,
        word_count=len(text.split()),
        syndicated=found.syndicated,
        syndicated_by=found.syndicated_by,
        removed=tuple(found.removed),
    )


def warm_up() -> None:
    """Load the gazetteer and the language model now (a few seconds) rather than on the first items."""
    from wirefeed.extract import language, places

    places.load()
    language.load()


def extract_article(item: Item, *, outlet: str | None = None) -> Article:
    """The item's wire metadata and its text without the wrapping; never raises on odd input.

    `outlet` is the publishing outlet, named when a disclaimer says "our staff".
    """
    try:
        return _extract(item, outlet)
    except Exception:  # one odd item must not stop a batch: keep it, unextracted, and say so
        log.exception("extraction failed for %s; keeping the item unextracted", item.url or item.guid)
        text = (item.text or "")[:MAX_TEXT_CHARS]
        return Article(item=item, title=item.title or "", text=text, published_at=_utc(item.published_at),
                       word_count=len(text.split()))
