"""The dateline that opens wire copy: "Srinagar (Jammu and Kashmir) [India], May 20 (ANI):"."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from wirefeed.extract.agencies import parse_credit
from wirefeed.extract.patterns import (
    DATE_PREPOSITIONS, DATELINE_PREFIXES, DATELINE_SEPARATOR, MONTHS, PLACE_PARTICLES, WEEKDAYS,
)
from wirefeed.extract.places import resolve_country
from wirefeed.models import Dateline

# Everything here runs on a bounded head of one paragraph, and every repeat is bounded,
# so no input can make a match slow.
HEAD_CHARS = 400


def _by_initial(names) -> str:
    """An alternation of names with each initial letter written once: "j(?:anuary|an)|f(?:ebruary|eb)".

    Names with different initials never match at the same place, and each initial's names keep
    their order, so it matches exactly what the flat alternation does, without trying every name
    at every position of a search.
    """
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name[0], []).append(re.escape(name[1:]))
    return "|".join(f"{re.escape(initial)}(?:{'|'.join(rests)})" for initial, rests in groups.items())


# Longest names first, so "march" is tried before "mar".
_MONTH_NAMES = _by_initial(sorted(MONTHS, key=len, reverse=True))
# A month starts with one of few letters; looking at that letter first rules most positions out in
# one step (the letters re.IGNORECASE takes for ASCII ones are in the class too, so nothing is lost).
_MONTH_INITIALS = "".join(sorted({re.escape(m[0]) for m in MONTHS} | set("ſıİK")))
_MONTH = rf"(?=[{_MONTH_INITIALS}])(?:{_MONTH_NAMES})\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]|20)\d\d"
_DATE = re.compile(
    rf"(?:,|\.)?\s*(?:(?:{'|'.join(DATE_PREPOSITIONS)})\s+)?(?:(?P<m1>{_MONTH})\s{{0,2}}(?P<d1>{_DAY})|(?P<d2>{_DAY})\.?\s{{0,2}}(?:de\s)?(?P<m2>{_MONTH}))"
    rf"(?:,?\s{{0,2}}(?:de\s)?(?P<y>{_YEAR}))?\s*[,.]?\s*$",
    re.IGNORECASE,
)
# "(ANI)", and the slashed credits of TASS ("/TASS/") and Arab agencies ("/ وام /").
_PAREN = re.compile(r"\((?P<credit>[^()\n]{1,60})\)|/\s?(?P<slashed>[^/()\n]{2,20}?)\s?/")
_SEPARATOR = re.compile(rf"\s*(?:{DATELINE_SEPARATOR}\s*)?")
_PREFIXES = tuple(re.compile(p) for p in DATELINE_PREFIXES)
_AFTER_CREDIT = re.compile(r"(?P<prefix>[^\n()\[\]]{2,80}?)\s*(?:[-–—]{1,2}|:)\s+")
_PLACE = re.compile(
    r"^(?P<place>[^()\[\],]{1,200}?)\s*(?:\((?P<region>[^()\[\]]{1,40})\))?\s*(?:\[(?P<country>[^\[\]()]{1,40})\])?"
    r"(?P<more>(?:\s*,\s*[^,()\[\]]{1,40}){0,3})\s*$"
)
# "CHICAGO -- ...", "KANDAHAR, Afghanistan -- ...", "CHICAGO (CBS) -- ...", "NEW DELHI: The...": no agency credit,
# so the place must be written in capitals and found in the gazetteer.
_CAPS_DATELINE = re.compile(
    r"(?P<raw>(?P<place>[A-Z](?:[A-Z'’.]|-(?=[A-Z]))+(?: [A-Z](?:[A-Z'’.]|-(?=[A-Z]))+){0,3})"
    r"(?P<more>(?:, ?[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,2}){0,2}))"
    r"\s*(?:\((?P<source>[^()\n]{1,40})\)\s*)?(?:--|[—―–\x97]|-(?=\s)|:(?=\s+[A-Z\"“‘']))\s*"
)


@dataclass(frozen=True)
class Lead:
    """What opened a paragraph: its dateline (if any), the agencies it credits, the cut text."""

    dateline: Dateline | None
    agencies: tuple[str, ...]
    cut: str


def resolve_date(month: int, day: int, year: int | None, published: datetime | None) -> date | None:
    """A full date from a dateline's month and day; the year comes from the published date.

    The candidate year closest to the published date wins, so "Dec 31" on a story published
    on Jan 1 is the previous year. Without a year or a reference date: None, never a guess.
    """
    try:
        if year:
            return date(year, month, day)
        if published is None:
            return None
        return _nearest_date(month, day, published.date())
    except ValueError:
        return None


# A feed's items share their publication day and mostly name that day or the one before it.
@lru_cache(maxsize=1024)
def _nearest_date(month: int, day: int, ref: date) -> date | None:
    """The date of that month and day closest to ref, within 200 days of it, or None."""
    candidates = []
    for y in (ref.year - 1, ref.year, ref.year + 1):
        try:
            candidates.append(date(y, month, day))
        except ValueError:  # Feb 29 outside a leap year
            continue
    best = min(candidates, key=lambda d: abs(d - ref), default=None)
    return best if best and abs(best - ref) <= timedelta(days=200) else None


# Dateline prefixes repeat ("Dhaka, Jun 29", "NEW DELHI, May 20"): each is searched once. _DATE's search
# tries every position of the prefix, and a match object only reads the prefix it was made on.
@lru_cache(maxsize=4096)
def _date_in(prefix: str) -> re.Match | None:
    """_DATE.search(prefix)."""
    return _DATE.search(prefix)


def _date_of(match: re.Match, published: datetime | None) -> date | None:
    """The date a _DATE match names."""
    month = MONTHS.get((match["m1"] or match["m2"]).rstrip(".").casefold())
    day = int(re.match(r"\d+", match["d1"] or match["d2"]).group())
    year = int(match["y"]) if match["y"] else None
    return resolve_date(month, day, year, published) if month else None


def _glued_place(place: str) -> str:
    """The dateline place at the end of a headline glued before it ("... ceremony LOS ANGELES")."""
    words = place.split()
    tail = []
    for word in reversed(words):
        if not (word.isupper() and any(c.isalpha() for c in word)):
            break
        tail.insert(0, word)
    if tail and len(tail) < len(words):
        return " ".join(tail)
    for size in (3, 2, 1):  # mixed case: the longest tail that reads as a place the gazetteer knows
        candidate = " ".join(words[-size:])
        if len(words) > size and _looks_like_place(candidate) and resolve_country(candidate):
            return candidate
    return place


def _looks_like_place(place: str) -> bool:
    """True for "Tel Aviv", "Rio de Janeiro", "नई दिल्ली"; false for "A report by AFP" or a sentence."""
    words = place.split()
    if not words or len(words) > 6 or not place[:1].isalpha() or any(c in place for c in "!?;\"“”"):
        return False
    # Scripts without case (Devanagari, Arabic) pass: islower() is false for them.
    return all(not w[:1].islower() or w.casefold() in PLACE_PARTICLES for w in words)


@lru_cache(maxsize=4096)  # the same places open many datelines; the answer only depends on the text
def _split_place(text: str, glued: bool = False) -> tuple[str, str | None, str | None] | None:
    """(place, region, country) of the place part of a dateline, or None if it is not one."""
    match = _PLACE.match(text)
    if not match:
        return None
    place = match["place"].strip()
    region = match["region"]
    country = match["country"]
    more = [part.strip() for part in (match["more"] or "").split(",")
            if part.strip() and part.strip().rstrip(".").casefold() not in WEEKDAYS]
    if more:
        if not country and resolve_country(None, None, more[-1]):
            country = more.pop()
        if more and not region:
            region = more.pop(0)
        if more:  # more pieces than a dateline has
            return None
    if glued and not _looks_like_place(place):
        place = _glued_place(place)
    if not _looks_like_place(place):
        return None
    return place, region and region.strip(), country and country.strip()


def _credited(head: str, published: datetime | None) -> Lead | None:
    """A dateline closed by an agency credit: "PLACE, DATE (AGENCY) -"."""
    fallback = None
    for paren in _PAREN.finditer(head, 0, 240):
        agencies = parse_credit(paren["credit"] or paren["slashed"])
        if not agencies:
            continue
        prefix = head[: paren.start()]
        for pattern in _PREFIXES:
            prefix = pattern.sub("", prefix, count=1) if pattern.match(prefix) else prefix
        prefix = prefix.strip().rstrip(",").strip()
        end = _SEPARATOR.match(head, paren.end()).end()
        cut = head[:end]
        raw = head[: paren.end()].strip()
        if not prefix:  # "(Bloomberg) --": a credit with no dateline
            return Lead(None, agencies, cut)
        when = None
        date_match = _date_in(prefix)
        if date_match:
            when = _date_of(date_match, published)
            prefix = prefix[: date_match.start()].strip().rstrip(",").strip()
        if not prefix:
            return Lead(Dateline(raw=raw, date=when), agencies, cut) if date_match else None
        separated = bool(head[paren.end():end].strip())
        # Only a dateline with a separator or a date ("... LOS ANGELES (AP) —", "... Shimla, Jan 1 (IANS)")
        # may sit after a glued headline.
        glued = separated or date_match is not None
        parts = _split_place(prefix, glued=glued)
        for tail in (prefix.rsplit(")", 1), prefix.rsplit(",", 1)) if glued and parts is None else ():
            # The headline glued before the dateline has its own commas or parentheses: look past them.
            if len(tail) == 2 and tail[1].strip():
                parts = parts or _split_place(tail[1].strip(), glued=True)
        if parts is None:
            # A headline glued before "(Reuters) -": the credit stands, the place is unknown, unless a
            # later credit opens a real dateline ("(MENAFN- Kuwait News Agency (KUNA)) RIYADH, Jan 1 (KUNA)").
            fallback = fallback or (Lead(None, agencies, "") if separated else None)
            continue
        place, region, country = parts
        dateline = Dateline(raw=raw[raw.index(place):] if place in raw else raw, place=place, region=region,
                            country_code=resolve_country(place, region, country), date=when)
        return Lead(dateline, agencies, cut)
    return fallback


def _uncredited(head: str) -> Lead | None:
    """A dateline with no agency credit: "CHICAGO -- ...", written in capitals, known to the gazetteer."""
    start = 0
    for pattern in _PREFIXES:
        found = pattern.match(head)
        if found:
            start = found.end()
    match = _CAPS_DATELINE.match(head, start)
    if not match:
        return None
    place = match["place"].strip()
    more = [part.strip() for part in match["more"].split(",") if part.strip()]
    region = more[0] if more else None
    country = resolve_country(place, region)
    if country is None:
        return None
    return Lead(Dateline(raw=match["raw"].strip(), place=place, region=region, country_code=country),
                parse_credit(match["source"]) or () if match["source"] else (), match.group())


def _place_date(head: str, published: datetime | None) -> tuple[Dateline, str] | None:
    """A "Rome, October 11 -" dateline after a leading credit ("(ANSA) - Rome, October 11 - ...")."""
    separator = _AFTER_CREDIT.match(head)
    if not separator:
        return None
    prefix = separator["prefix"]
    date_match = _date_in(prefix)
    if not date_match:
        return None  # without a date, "Rome -" could be the start of any sentence
    parts = _split_place(prefix[: date_match.start()].strip().rstrip(",").strip())
    if parts is None:
        return None
    place, region, country = parts
    return (Dateline(raw=prefix.strip(), place=place, region=region,
                     country_code=resolve_country(place, region, country), date=_date_of(date_match, published)),
            separator.group())


def find_dateline(paragraph: str, published: datetime | None = None) -> Lead | None:
    """The dateline opening this paragraph, the agencies it credits and the text to cut."""
    head = paragraph[:HEAD_CHARS]
    lead = _credited(head, published) or _uncredited(head)
    if lead and lead.dateline is None and lead.cut:
        after = _place_date(head[len(lead.cut):], published)
        if after:
            raw = (lead.cut + after[0].raw).strip()
            return Lead(dataclasses.replace(after[0], raw=raw), lead.agencies, lead.cut + after[1])
    return lead
