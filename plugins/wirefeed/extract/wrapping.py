"""Cut the wrapping around wire copy: header lines and dateline at the head, sign-offs at the tail."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from wirefeed.extract.agencies import agencies_in_names, canonical_agency, parse_credit
from wirefeed.extract.authors import parse_byline, split_names
from wirefeed.extract.dateline import _MONTH as DATELINE_MONTH
from wirefeed.extract.dateline import Lead, find_dateline
from wirefeed.extract.disclaimers import find_disclaimer
from wirefeed.extract.patterns import (
    AGENCIES, BYLINE_ROLES, CLOSING_CREDIT, HEADER_DATE_WORDS, HEADER_NOTES, REPORTING_PARENS, SIGNOFF_LINES,
    TAIL_BLOCK_STARTS, TRAILERS,
)
from wirefeed.models import Dateline

HEAD_LINES = 12  # header clutter before a dateline is a few lines, never more
DATELINE_LINES = 3  # a dateline may follow a kicker or section line, not a paragraph of body
KICKER_CHARS = 100
TAIL_STEPS = 16  # sign-offs, trailers and disclaimers stacked at the end
TAIL_BLOCK_LINES = 60  # how far from the end a notebook block may start
_UNNAMED = re.compile(r"\(\?P<\w+>")


def _any_of(patterns, flags: int = 0) -> re.Pattern:
    """One regex matching where any of the patterns matches (their group names dropped, as they repeat).

    A line usually matches none of a table's patterns: one search of the union says so at the
    cost of one, and only a hit goes on to try the patterns in their order.
    """
    return re.compile("|".join(f"(?:{_UNNAMED.sub('(?:', pattern)})" for pattern in patterns), flags)


_SIGNOFFS = tuple((agency, re.compile(pattern)) for agency, pattern in SIGNOFF_LINES)
_ANY_SIGNOFF = _any_of(pattern for _, pattern in SIGNOFF_LINES)
_SIGNOFF_TAIL = r"(?<=[.!?\"”’])\s+(?:{})$"
_SIGNOFF_TAILS = tuple((agency, re.compile(_SIGNOFF_TAIL.format(pattern))) for agency, pattern in SIGNOFF_LINES if agency)
# Only says whether one of _SIGNOFF_TAILS matches: the punctuation mark is taken rather than looked behind at, so
# the search skips straight to the marks (a lookbehind makes it try every position); a match then is the tail's
# match with that mark before it.
_ANY_SIGNOFF_TAIL = re.compile(
    r"[.!?\"”’]" + _SIGNOFF_TAIL.removeprefix(r"(?<=[.!?\"”’])").format(
        _any_of(pattern for agency, pattern in SIGNOFF_LINES if agency).pattern))
_TRAILERS = tuple((kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in TRAILERS)
_ANY_TRAILER = _any_of((pattern for _, pattern in TRAILERS), re.IGNORECASE)
_TAIL_BLOCK = _any_of(TAIL_BLOCK_STARTS, re.IGNORECASE)
# Each TAIL_BLOCK_STARTS pattern opens with a literal character: a line opening with none of them is
# no block start, and most lines are ruled out without the regex.
_TAIL_BLOCK_INITIALS = "".join({c for pattern in TAIL_BLOCK_STARTS for c in (pattern[0].lower(), pattern[0].upper())})
_REPORTING_PARENS = re.compile(REPORTING_PARENS, re.IGNORECASE)
_PEOPLE_CREDIT = re.compile(r"^\s*(?:additional |writing and )?(?:reporting|writing|compiled|reported) by:?\s+(?P<names>.+)$",
                            re.IGNORECASE)
_CREDIT_NAMES = "|".join(sorted((re.escape(a) for names in AGENCIES.values() for a in names), key=len, reverse=True))
_CLOSING = re.compile(CLOSING_CREDIT.format(credit=f"(?:{_CREDIT_NAMES})"), re.IGNORECASE)
# "AP Business Writer", "Associated Press=" (ANPA), "Reuters Staff": a credit line, not body.
_ROLE = re.compile(rf"\s*(?:[A-Z][a-z]+ )?(?:{'|'.join(role.capitalize() for role in BYLINE_ROLES)})s?$|=$")
# What a line must end with for _ROLE to match (checked first: _ROLE's search tries every position).
_ROLE_ENDINGS = ("=", *(role.capitalize() + plural for role in BYLINE_ROLES for plural in ("", "s")))
# The month alternation grouped by initial behind a look at the initial, as in dateline's _DATE: it matches what
# "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?" does, without trying ~100 names at a line's start.
_MONTH = DATELINE_MONTH
_DATE_LINE = re.compile(
    r"^(?:(?:" + "|".join(HEADER_DATE_WORDS) + r")\s*:?\s*)?"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    rf"(?:\d{{4}}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d)?(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)?"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4})"
    r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d\d(?::\d\d)?\s*(?:[ap]\.?m\.?)?)?(?:\s+[A-Z]{2,4})?\.?$",
    re.IGNORECASE,
)
_FOLD = re.compile(r"[\W_]+")
_HEADER_NOTE = re.compile(HEADER_NOTES, re.IGNORECASE)
_CODED_SIGNOFF = re.compile(r"(?P<agency>[A-Za-z][A-Za-z-]{1,11})(?:/[\w .'-]{1,30}){1,6}")
_BULLETS = re.compile(r"\n|\s[-*•]\s|\s#+\s")


def _fold(text: str) -> str:
    """Words only: case, quotes and punctuation aside."""
    return _FOLD.sub(" ", text).strip().casefold()


def _same_text(a: str, b: str) -> bool:
    """True when two strings are the same words (case, quotes and punctuation aside)."""
    return bool(a) and _fold(a) == _fold(b)


def _headline_variant(line: str, title: str) -> bool:
    """True for the headline again, or a version of it with a kicker ("Kyodo: Japan, ...") added or dropped."""
    if len(line) < 15 or len(title) < 15 or len(line) > 2 * len(title) or len(title) > 2 * len(line):
        return False
    a, b = _fold(line), _fold(title)
    return a == b or a.endswith(b) or b.endswith(a)


@dataclass
class Wrapping:
    """What was found while cutting: credits, people, dateline, disclaimer, and the cut strings."""

    agencies: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    dateline: Dateline | None = None
    title: str | None = None  # the headline found in the text when the item had none
    syndicated: bool = False
    syndicated_by: str | None = None
    removed: list[str] = field(default_factory=list)

    def credit(self, agencies) -> None:
        """Add agencies in the order they are credited."""
        for agency in agencies:
            if agency and agency not in self.agencies:
                self.agencies.append(agency)

    def cut(self, text: str) -> None:
        """Record one piece of wrapping taken out of the text."""
        text = text.strip()
        if text:
            self.removed.append(text)


def _header_credit(line: str) -> tuple[str, ...] | None:
    """Agencies of a credit line such as "ANI", "(ANI/TPS)", "AP Business Writer", "Associated Press="."""
    if line.removesuffix("\n").endswith(_ROLE_ENDINGS):  # _ROLE's "$" also matches before a final newline
        line = _ROLE.sub("", line)
    bare = line.strip(" ()[]")
    return parse_credit(bare) if bare else None


def cut_head(paragraphs: list[list[str]], title: str, published: datetime | None, outlet: str | None,
             found: Wrapping) -> None:
    """Remove header lines (repeated headline, credit, date, byline) and the dateline, in place."""
    for _ in range(HEAD_LINES):
        if not paragraphs:
            return
        lines = paragraphs[0]
        if not lines:
            paragraphs.pop(0)
            continue
        if len(lines) <= 3:
            disclaimer = find_disclaimer(" ".join(lines), outlet)
            if disclaimer and disclaimer.cut == " ".join(lines):
                found.syndicated, found.syndicated_by = True, found.syndicated_by or disclaimer.outlet
                found.credit(disclaimer.agencies)
                found.cut(disclaimer.cut)
                paragraphs.pop(0)
                continue
        line = lines[0]
        following = lines[1] if len(lines) > 1 else (paragraphs[1][0] if len(paragraphs) > 1 and paragraphs[1] else "")
        if not title and len(line) > 15 and _same_text(line, following):
            title = found.title = line  # an export that doubles the headline: that is the headline
        if not line.strip() or _headline_variant(line, title):
            found.cut(line)
            lines.pop(0)
            continue
        # casefold maps each character on its own, to one character or more: the line's casefold starts with the
        # title's exactly when the casefold of as many of its first characters as the title's casefold has does.
        folded_title = title.casefold() if title and len(title) > 15 else ""
        if folded_title and line[:len(folded_title)].casefold().startswith(folded_title):
            found.cut(line[: len(title)])  # headline glued before the dateline
            lines[0] = line[len(title):].lstrip(" :.-–—")
            continue
        if line.startswith("(") and ")" not in line and _cut_open_note(paragraphs, found):
            continue
        credit = _header_credit(line)
        byline = parse_byline(line)
        if not (credit or byline or _DATE_LINE.match(line.strip()) or _HEADER_NOTE.fullmatch(line.strip())):
            break
        found.credit(credit or ())
        if byline:
            found.authors.extend(byline[0])
            found.credit(byline[1])
        found.cut(line)
        lines.pop(0)
    _cut_dateline(paragraphs, published, found)


def _cut_open_note(paragraphs: list[list[str]], found: Wrapping) -> bool:
    """Cut an editors' note wrapped over several lines ("(Adds ... will" / "reopen ...)"); True if cut."""
    taken: list[tuple[int, int]] = []
    note = ""
    for p, lines in enumerate(paragraphs[:6]):
        for i, line in enumerate(lines):
            note = f"{note} {line}".strip()
            taken.append((p, i))
            if ")" in line:
                if not _HEADER_NOTE.fullmatch(note):
                    return False
                found.cut(note)
                for p_, i_ in reversed(taken):
                    del paragraphs[p_][i_]
                return True
            if len(taken) >= 6:
                return False
    return False


def _cut_dateline(paragraphs: list[list[str]], published: datetime | None, found: Wrapping) -> None:
    """Cut the dateline opening the body; it may follow a short kicker line, never body text."""
    positions = [(p, i) for p in range(min(len(paragraphs), DATELINE_LINES))
                 for i in range(min(len(paragraphs[p]), DATELINE_LINES))][:DATELINE_LINES]
    for p, i in positions:
        # A wrapped dateline paragraph continues on its next lines, so look at them together.
        lead = find_dateline(" ".join(paragraphs[p][i:])[:400], published)
        if lead:
            _apply_lead(paragraphs[p], i, lead, found)
            # Short lines before a dateline are kickers ("Shimla:", "EXCLUSIVE"), not story text.
            for kicker in [line for lines in paragraphs[:p] for line in lines] + paragraphs[p][:i]:
                found.cut(kicker)
            del paragraphs[p][:i]
            del paragraphs[:p]
            return
        if len(paragraphs[p][i]) > KICKER_CHARS:
            return


def _apply_lead(lines: list[str], index: int, lead: Lead, found: Wrapping) -> None:
    """Cut a dateline from the start of lines[index:], which may span wrapped lines."""
    found.dateline = found.dateline or lead.dateline
    found.credit(lead.agencies)
    found.cut(lead.cut)
    # The cut was measured on the lines joined by single spaces; take it off line by line.
    remaining = len(lead.cut)
    while remaining > 0 and index < len(lines):
        if len(lines[index]) + 1 <= remaining:
            remaining -= len(lines[index]) + 1
            del lines[index]
        else:
            lines[index] = lines[index][remaining:].strip()
            if not lines[index]:
                del lines[index]
            break


def _trailer(line: str, found: Wrapping) -> bool:
    """Consume one trailing credit line (sign-off, "Reporting by", copyright...); True if cut."""
    stripped = line.strip()
    for agency, pattern in _SIGNOFFS if _ANY_SIGNOFF.fullmatch(stripped) else ():
        if pattern.fullmatch(stripped):
            found.credit((agency,))
            return True
    credit = _header_credit(stripped) if len(stripped) < 60 else None
    if credit:
        found.credit(credit)
        return True
    # "QNA/MA/AK", "KUNA/AB/1530": any agency signing off with its desk codes after a slash.
    coded = _CODED_SIGNOFF.fullmatch(stripped)
    if coded and canonical_agency(coded["agency"]):
        found.credit((canonical_agency(coded["agency"]),))
        return True
    for kind, pattern in _TRAILERS if _ANY_TRAILER.fullmatch(stripped) else ():
        match = pattern.fullmatch(stripped)
        if not match:
            continue
        if kind == "authors":
            _people_credits(stripped, found)
            return True
        agencies = agencies_in_names(match["names"])
        if kind == "wrap" or agencies:
            found.credit(agencies)
            return True
    return False


def _people_credits(credits: str, found: Wrapping) -> None:
    """Reporters and writers of "Reporting by A and B; Writing by C; Editing by D" (editors are not authors)."""
    for part in credits.strip("() ").split(";"):
        people = _PEOPLE_CREDIT.match(part)
        if people:
            found.authors.extend(split_names(people["names"])[0])


def _reporting_parens(line: str, found: Wrapping) -> str | None:
    """Cut a closing "(Reporting by X; Editing by Y)" and keep the reporters; the rest of the line or None."""
    match = _REPORTING_PARENS.search(line)
    if not match:
        return None
    _people_credits(match["inner"], found)
    found.cut(match.group())
    return line[: match.start()].rstrip()


def _closing_signoff(line: str, found: Wrapping) -> str | None:
    """Cut an agency sign-off glued after the last sentence ("... the law. PTI ABA ZMN"); the rest or None."""
    if not _ANY_SIGNOFF_TAIL.search(line[-120:]):
        return None
    for agency, pattern in _SIGNOFF_TAILS:
        match = pattern.search(line[-120:])
        if match:
            found.credit((agency,))
            found.cut(match.group())
            return line[: len(line) - len(match.group())].rstrip()
    return None


def _closing_credit(line: str, found: Wrapping) -> str | None:
    """Cut a closing "(ANI)" / "--IANS" at the end of the last body line; the rest of the line or None."""
    tail = line[-120:]
    # Every match opens with "(" or a dash: a tail holding none (most last lines) cannot match.
    if "(" not in tail and "-" not in tail and "–" not in tail and "—" not in tail:
        return None
    match = _CLOSING.search(tail)
    if not match:
        return None
    credited = parse_credit(match["c1"] or match["c2"] or "")
    if not credited:
        return None
    found.credit(credited)
    found.cut(match.group())
    return line[: len(line) - len(match.group())].rstrip()


def cut_tail(paragraphs: list[list[str]], outlet: str | None, found: Wrapping) -> None:
    """Remove sign-offs, trailers, notebook blocks and disclaimers from the end, in place."""
    _cut_tail_block(paragraphs, found)
    for _ in range(TAIL_STEPS):
        while paragraphs and not any(line.strip() for line in paragraphs[-1]):
            paragraphs.pop()
        if not paragraphs:
            return
        lines = paragraphs[-1]
        joined = " ".join(lines)
        disclaimer = find_disclaimer(joined, outlet)
        if disclaimer:
            found.syndicated, found.syndicated_by = True, found.syndicated_by or disclaimer.outlet
            found.credit(disclaimer.agencies)
            found.cut(disclaimer.cut)
            rest = joined.replace(disclaimer.cut, "", 1).strip()
            paragraphs[-1] = [rest] if rest else []
            continue
        if _trailer(lines[-1], found):
            found.cut(lines.pop())
            continue
        rest = _reporting_parens(lines[-1], found)
        if rest is None:
            rest = _closing_signoff(lines[-1], found)
        if rest is None:
            rest = _closing_credit(lines[-1], found)
            if rest is None:
                return
            lines[-1] = rest
            if rest:
                return  # a closing credit ends the body: what precedes it is story text
            continue
        lines[-1] = rest


def _cut_tail_block(paragraphs: list[list[str]], found: Wrapping) -> None:
    """Cut a trailing block such as dpa's notebook (not for publication), keeping its reporters."""
    for p, i in _last_lines(paragraphs, TAIL_BLOCK_LINES):
        line = paragraphs[p][i].strip()
        if line[:1] in _TAIL_BLOCK_INITIALS and _TAIL_BLOCK.fullmatch(line):
            block = paragraphs[p][i:] + [line for lines in paragraphs[p + 1:] for line in lines]
            _block_credits(block, found)
            found.cut("\n".join(block))
            del paragraphs[p][i:]
            del paragraphs[p + 1:]
            return


def _last_lines(paragraphs: list[list[str]], count: int) -> list[tuple[int, int]]:
    """(paragraph, line) positions of the last `count` lines, first to last."""
    start, total = len(paragraphs), 0
    while start and total < count:  # only the paragraphs that hold those lines: a long text's head is skipped
        start -= 1
        total += len(paragraphs[start])
    positions = [(p, i) for p in range(start, len(paragraphs)) for i in range(len(paragraphs[p]))]
    return positions[-count:]


def _block_credits(block: list[str], found: Wrapping) -> None:
    """Reporters ("- Reporting by: A in Vienna\n  and B in Geneva") and sign-offs of a cut block."""
    parts = [part.strip() for part in _BULLETS.split("\n".join(block)) if part.strip()]
    for k, part in enumerate(parts):
        people = _PEOPLE_CREDIT.match(part)
        if people:
            names = [people["names"]]
            for follow in parts[k + 1:]:  # a list item wrapped onto the next line goes on with "and ..."
                if not follow.startswith(("and ", "& ", ",")):
                    break
                names.append(follow)
            found.authors.extend(split_names(" ".join(names))[0])
        else:
            _trailer(part, found)
