"""Dates in every spelling feeds use, as aware UTC datetimes; naive times take the feed's zone."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import feedparser.datetimes
from dateutil import parser as dateutil_parser

UTC = timezone.utc
FUTURE_TOLERANCE = timedelta(days=1)
MAX_DATE_CHARS = 120  # the longest real spelling is under 60; a megabyte "date" must not reach dateutil

# A time followed by a zone (Z, +hh:mm, GMT, EST...) means the string is not naive.
_HAS_ZONE = re.compile(
    r"\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*(?!(?:AM|PM)\s*$)(?:Z|[+-]\d\d(?::?\d\d)?|\(?[A-Z]{1,5}\)?)\s*$",
    re.IGNORECASE,
)
# Some feeds name an IANA zone instead of an offset ("... 20:19:00 America/Los_Angeles").
_IANA_SUFFIX = re.compile(r"\s([A-Za-z]+(?:/[A-Za-z0-9_+\-]+)+)\s*$")
_ZONE_ABBREVIATIONS = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
    "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "BST": 1, "CET": 1, "CEST": 2, "EET": 2,
    "EEST": 3, "WET": 0, "WEST": 1, "MSK": 3, "IST": 5.5, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11,
}
_TZINFOS = {name: int(hours * 3600) for name, hours in _ZONE_ABBREVIATIONS.items()}
# feedparser reads these zones itself and silently takes any other abbreviation for UTC.
_FEEDPARSER_ZONES = {"UT", "UTC", "GMT", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"}
_TRAILING_ZONE = re.compile(r"\s\(?([A-Za-z]{2,5})\)?\s*$")
_CLOCK = re.compile(r"(?<!\d)(\d\d?):(\d\d)(?::(\d\d))?")
_ISO_DAY = re.compile(r"^(\d+)-(\d\d)-(\d\d)")
# Month names of the languages whose outlets localise RFC 822 dates (pt, es, fr, de, it), by 3-4 letter prefix.
_MONTHS = {
    "jan": "Jan", "gen": "Jan", "ene": "Jan", "fev": "Feb", "feb": "Feb", "fevr": "Feb", "mar": "Mar",
    "marz": "Mar", "mrz": "Mar", "abr": "Apr", "apr": "Apr", "avr": "Apr", "mai": "May", "may": "May",
    "mag": "May", "jun": "Jun", "juin": "Jun", "giu": "Jun", "jul": "Jul", "juil": "Jul", "lug": "Jul",
    "ago": "Aug", "aug": "Aug", "aou": "Aug", "set": "Sep", "sep": "Sep", "out": "Oct", "oct": "Oct",
    "okt": "Oct", "ott": "Oct", "nov": "Nov", "dez": "Dec", "dic": "Dec", "dec": "Dec",
}
_LEADING_WEEKDAY = re.compile(r"^\s*[^\W\d_]+\.?,\s*")
_WORD = re.compile(r"[^\W\d_]{3,}")
_PROBE_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))
_fp = feedparser.datetimes
# feedparser's handlers, strictest first: its loose ISO 8601 reader turns "2013-xx-27" into November.
_HANDLERS = (_fp._parse_date_rfc822, _fp._parse_date_w3dtf, _fp._parse_date_asctime, _fp._parse_date_perforce,
             _fp._parse_date_nate, _fp._parse_date_onblog, _fp._parse_date_greek, _fp._parse_date_hungarian)
_ISO_CHARS = re.compile(r"[\d\-:T.,+Z ]{8,}")


def parse_date(value: str | None, tz: tzinfo | None = None) -> datetime | None:
    """An aware UTC datetime for a date string, or None when it cannot be read as a date."""
    if not value:
        return None
    value = value.strip()
    if not value or len(value) > MAX_DATE_CHARS:
        return None
    try:
        return _parse(value, tz or UTC)
    except (ValueError, OverflowError, TypeError):
        return None


def _parse(value: str, tz: tzinfo) -> datetime | None:
    """parse_date without the guards: may raise on out-of-range values."""
    zone = _IANA_SUFFIX.search(value)
    if zone:
        try:
            return _parse(value[:zone.start()], ZoneInfo(zone.group(1)))
        except (ZoneInfoNotFoundError, ValueError):
            pass
    if not _valid_clock(value):
        return None
    abbreviation = _TRAILING_ZONE.search(value)
    if abbreviation and abbreviation.group(1).upper() in _TZINFOS.keys() - _FEEDPARSER_ZONES:
        return _dateutil(value, tz)
    if value[:4].isdigit():
        try:  # the common ISO 8601 case, an order of magnitude faster than the general parsers
            return _to_utc(datetime.fromisoformat(value), tz)
        except ValueError:
            pass
    parsed = _feedparser_date(value)
    if parsed:
        wall = datetime(*parsed[:6])
        if _HAS_ZONE.search(value):
            return wall.replace(tzinfo=UTC)
        return _to_utc(wall, tz)
    return _dateutil(value, tz) or _dateutil(_in_english(value), tz)


def _in_english(value: str) -> str:
    """A date with its weekday dropped and its month named in English ("Seg, 24 Set 2018" -> "24 Sep 2018")."""
    value = _LEADING_WEEKDAY.sub("", value)
    return _WORD.sub(lambda m: _MONTHS.get(_fold(m.group())[:4]) or _MONTHS.get(_fold(m.group())[:3]) or m.group(),
                     value)


def _fold(word: str) -> str:
    """A word lower-cased without accents (févr -> fevr, März -> marz)."""
    return unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode()


def _feedparser_date(value: str):
    """feedparser's reading (20 years of feed date quirks) as a UTC struct_time, or None."""
    for handler in _HANDLERS:
        try:
            parsed = handler(value)
        except (ValueError, OverflowError, IndexError, KeyError):
            parsed = None
        if parsed:
            return parsed
    if _ISO_CHARS.fullmatch(value):
        return _fp._parse_date_iso8601(value)
    return None


def _dateutil(value: str, tz: tzinfo) -> datetime | None:
    """dateutil's reading of a free-form date, refused when it had to invent the day, month or year."""
    try:
        # Parsing with two different defaults tells a complete date from one dateutil filled in.
        first, second = (dateutil_parser.parse(value, default=d, tzinfos=_TZINFOS) for d in _PROBE_DEFAULTS)
    except (dateutil_parser.ParserError, ValueError, OverflowError):
        return None
    if first.date() != second.date():
        return None
    return _to_utc(first, tz)


def _valid_clock(value: str) -> bool:
    """False for a time of day or ISO date out of range (25:00, 2025-13-45), which lenient parsers roll over."""
    day = _ISO_DAY.match(value)
    if day and (len(day.group(1)) not in (2, 4) or not 1 <= int(day.group(2)) <= 12 or not 1 <= int(day.group(3)) <= 31):
        return False
    for hour, minute, second in _CLOCK.findall(value):
        if int(hour) > 24 or int(minute) > 59 or (second and int(second) > 60):
            return False
    return True


def _to_utc(value: datetime, tz: tzinfo) -> datetime:
    """A datetime in UTC, reading a naive one as wall time in `tz`."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def settle(published: datetime | None, now: datetime) -> tuple[datetime | None, tuple[str, ...]]:
    """The publication time to keep, with flags: clamped when over a day ahead, flagged when missing."""
    if published is None:
        return None, ("date_missing",)
    if published > now + FUTURE_TOLERANCE:
        return now, ("date_clamped",)
    return published, ()
