"""Wire agency names -> canonical short names, and credits like "(ANI/TPS)" -> agencies."""
from __future__ import annotations

import re
from functools import lru_cache

from wirefeed.extract.patterns import AGENCIES, DESK_SUFFIXES

_SPLIT = re.compile(r"\s*(?:/|,|&|\+|\band\b)\s*")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    """(case-insensitive aliases, capitals-only aliases) -> canonical name."""
    loose: dict[str, str] = {}
    caps: dict[str, str] = {}
    for canonical, aliases in AGENCIES.items():
        for alias in aliases:
            # Short all-capital codes (AP, PA, AA, TT) are ordinary words in lower case.
            if alias.isupper() and len(alias) <= 4:
                caps[alias] = canonical
            else:
                loose[alias.casefold()] = canonical
    return loose, caps


def canonical_agency(name: str) -> str | None:
    """The canonical short name of one agency name ("Press Trust of India" -> "PTI"), or None."""
    name = _SPACES.sub(" ", name.strip(" .:-–—\t\n")).removeprefix("the ").removeprefix("The ")
    if not name or len(name) > 60:
        return None
    loose, caps = _tables()
    if name in caps:
        return caps[name]
    hit = loose.get(name.casefold())
    if hit:
        return hit
    if name.casefold().startswith("by "):
        return canonical_agency(name[3:])
    return None


def parse_credit(credit: str) -> tuple[str, ...] | None:
    """Agencies of a credit such as "ANI/TPS", "dpa/lnw" or "AP, Reuters"; None if it names none.

    Every part must be an agency or a known regional desk, so "(Chicago Tribune)" or
    "(Reuters file photo)" is not a credit.
    """
    if not credit or len(credit) > 80:
        return None
    return _parse_credit(credit)


@lru_cache(maxsize=4096)  # credits repeat ("PTI", "ANI/TPS", "Reuters"): each is read once
def _parse_credit(credit: str) -> tuple[str, ...] | None:
    """parse_credit of a credit of 1 to 80 characters."""
    whole = canonical_agency(credit)
    if whole:
        return (whole,)
    found: list[str] = []
    for part in _SPLIT.split(credit.strip()):
        if not part:
            continue
        agency = canonical_agency(part)
        if agency:
            if agency not in found:
                found.append(agency)
        elif part.casefold() not in DESK_SUFFIXES:
            return None
    return tuple(found) or None


def agencies_in_names(names: str) -> tuple[str, ...]:
    """Agencies named in a free credit ("PTI and agencies", "Reuters, AFP"); unknown parts ignored."""
    found: list[str] = []
    for part in _SPLIT.split(names):
        agency = canonical_agency(part)
        if agency and agency not in found:
            found.append(agency)
    return tuple(found)
