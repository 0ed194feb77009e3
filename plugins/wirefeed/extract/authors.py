"""People who wrote a story, from bylines, feed author fields and trailers; agencies kept apart."""
from __future__ import annotations

import re
from functools import lru_cache

from wirefeed.extract.agencies import canonical_agency
from wirefeed.extract.patterns import BYLINE_BEATS, BYLINE_ROLES, BYLINE_WORDS, NON_AUTHORS

_BYLINE = re.compile(rf"^(?:{'|'.join(BYLINE_WORDS)})\s*:?\s+(?P<names>[^\n]{{2,160}})$", re.IGNORECASE)
_BY_WORD = re.compile(rf"^(?:{'|'.join(BYLINE_WORDS)})\s+", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\by\b|\bet\b|\||/)\s*", re.IGNORECASE)
# "Albert Otti in Vienna", "Priya Menon in New Delhi": the place is not part of the name.
_IN_PLACE = re.compile(r"\s+(?:in|at|from)\s+[A-Z][^,;]*$")
_PARTICLES = {"de", "da", "di", "del", "della", "der", "den", "van", "von", "bin", "binti", "ibn", "al",
              "el", "la", "le", "du", "dos", "das", "y", "e", "ten", "ter", "zu", "st.", "jr.", "sr."}
_NON_AUTHORS = frozenset(NON_AUTHORS)


def _looks_like_name(name: str) -> bool:
    """True for "Priya Menon", "Ahmed al-Sharaa"; false for phrases, codes and numbers."""
    words = name.split()
    if not 1 <= len(words) <= 5 or any(ch.isdigit() for ch in name) or "@" in name:
        return False
    if len(words) == 1:  # "TOI", "Sify": outlets and desks; people are bylined with two names or more
        return False
    return all(w[:1].isupper() or w.casefold() in _PARTICLES or w[:2].casefold() in ("al", "el")
               or (w[1:2] in "'’" and w[2:3].isupper()) for w in words)


def _tidy(name: str) -> str:
    """Trim a name and give an all-capitals byline ("PAUL BYRNE") ordinary capitals."""
    name = re.sub(r"\s+", " ", name).strip(" .,:;=-–—()'\"")
    if name.isupper():
        name = " ".join(w.capitalize() if not w.startswith("MC") else "Mc" + w[2:].capitalize()
                        for w in name.split())
    return name


def _strip_role(part: str) -> tuple[str, tuple[str, ...]]:
    """A name without a trailing role ("BERNARD CONDON AP Business Writer" -> "BERNARD CONDON", AP)."""
    words = part.split()
    agencies: list[str] = []
    for size in (3, 2, 1):  # "JEFF AMY Associated Press": the agency closes the byline
        agency = canonical_agency(" ".join(words[-size:])) if len(words) > size else None
        if agency:
            return " ".join(words[:-size]), (agency,)
    if len(words) < 2 or words[-1].casefold().rstrip("s") not in BYLINE_ROLES:
        return part, ()
    words.pop()
    while words:
        for size in (3, 2, 1):  # an agency named before the role ("Associated Press Writer")
            agency = canonical_agency(" ".join(words[-size:])) if len(words) > size else None
            if agency:
                agencies.append(agency)
                del words[-size:]
                break
        else:
            if len(words) > 1 and words[-1].casefold() in BYLINE_BEATS:
                words.pop()
                continue
            break
    return " ".join(words), tuple(agencies)


# Feeds repeat their author fields ("PTI", "Staff Reporter") on every item: each is read once.
@lru_cache(maxsize=4096)
def split_names(names: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(authors, agencies) named in a byline or author field ("Priya Menon and PTI")."""
    authors: list[str] = []
    agencies: list[str] = []
    for part in _SPLIT.split(names.strip()):
        part = _IN_PLACE.sub("", _BY_WORD.sub("", part.strip()))
        part, role_agencies = _strip_role(part.strip(" .,:;=-–—()'\""))
        agencies.extend(role_agencies)
        agency = canonical_agency(part)  # before _tidy: "PTI" must not become the name "Pti"
        part = _tidy(part)
        if not part:
            continue
        if agency:
            agencies.append(agency)
        elif part.casefold() in _NON_AUTHORS or part.casefold().endswith((" staff", " desk", " bureau")):
            continue
        elif _looks_like_name(part):
            authors.append(part)
    return tuple(authors), tuple(agencies)


def parse_byline(line: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(authors, agencies) of a byline line such as "By Priya Menon" or "BY ASSOCIATED PRESS"; else None."""
    match = _BYLINE.match(line.strip())
    if not match:
        return None
    authors, agencies = split_names(match["names"])
    if authors or agencies:
        return authors, agencies
    # "By TOI Staff", "By Express News Service": a byline naming nobody is still a byline, not text.
    names = match["names"].strip()
    if len(names.split()) <= 6 and names[:1].isupper() and not names.endswith((".", "!", "?", ",")):
        return (), ()
    return None


def merge(*groups: tuple[str, ...]) -> tuple[str, ...]:
    """Names in first-seen order without case-insensitive repeats."""
    seen: dict[str, str] = {}
    for group in groups:
        for name in group:
            seen.setdefault(name.casefold(), name)
    return tuple(seen.values())
