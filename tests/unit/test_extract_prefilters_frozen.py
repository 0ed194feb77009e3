"""extract's cheaper regexes and prefilters answer as the ones they replaced, frozen here, on every line of the
labelled items, of generated wire copy and of made-up sign-offs, credits and date lines."""
from __future__ import annotations

import re

import pytest

from bench import corpus
from tests.conftest import FIXTURES
from wirefeed.clean import clean_item
from wirefeed.extract import _one_space, _paragraphs, wrapping
from wirefeed.extract.patterns import HEADER_DATE_WORDS, MONTHS, SIGNOFF_LINES
from wirefeed.extract.reader import read_item
from wirefeed.parse import parse

# ---------------------------------------------------------------------------------------------------------------
# The replaced patterns and function, as they were (commit 6a2a616), frozen.
# ---------------------------------------------------------------------------------------------------------------
_OLD_MONTH = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
OLD_DATE_LINE = re.compile(
    r"^(?:(?:" + "|".join(HEADER_DATE_WORDS) + r")\s*:?\s*)?"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    rf"(?:\d{{4}}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d)?(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)?"
    rf"|{_OLD_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_OLD_MONTH},?\s+\d{{4}}"
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4})"
    r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d\d(?::\d\d)?\s*(?:[ap]\.?m\.?)?)?(?:\s+[A-Z]{2,4})?\.?$",
    re.IGNORECASE,
)
OLD_ANY_SIGNOFF_TAIL = re.compile(
    r"(?<=[.!?\"”’])\s+(?:{})$".format(wrapping._any_of(pattern for agency, pattern in SIGNOFF_LINES if agency).pattern))


def old_closing_credit(line: str, found: wrapping.Wrapping) -> str | None:
    match = wrapping._CLOSING.search(line[-120:])
    if not match:
        return None
    credited = wrapping.parse_credit(match["c1"] or match["c2"] or "")
    if not credited:
        return None
    found.credit(credited)
    found.cut(match.group())
    return line[: len(line) - len(match.group())].rstrip()


_OLD_BLANK_LINE = re.compile(r"\n[ \t\xa0]*\n")


def old_paragraphs(text: str) -> list[list[str]]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    plain = "\n " not in text and "\n\t" not in text and "\n\xa0" not in text
    out = []
    for block in text.split("\n\n") if plain else _OLD_BLANK_LINE.split(text):
        block = _one_space(block).strip()
        if "\n" in block:
            out.append([line for line in map(str.strip, block.split("\n")) if line])
        elif block:
            out.append([block])
    return out


# ---------------------------------------------------------------------------------------------------------------
MADE_UP = [
    "The talks resume next week. (ANI)", "The talks resume next week. (ANI/TPS).", "He said so. --IANS", "He said so -- IANS",
    "He said so. — Reuters.", "He said so.—Reuters", "self-reliance - PTI", "a–b (Reuters file photo)", "(AP, Reuters)",
    "x-PTI", "The end. PTI ABA ZMN", "The end. PTI ABA ZMN\n", "The end.  PTI ABA", "The end! -- IANS ab/cd", "“Go.” UNI XY 1530",
    "The end. dpa ab cd", "The end.\tAP-WS-05-20-25 1530GMT", "Done. Enditem", "Done. WAM/Hatem Mohamed", "Done. BSS/AB/1530 hrs",
    "Done.  --BERNAMA", "Done. ==Kyodo", "Done. (END)", "Done.(END)", "(END)", ". PTI AB", "PTI AB", "Updated: May 20, 2025 10:15 IST",
    "date 2025-05-20 DT", "Published on Tuesday, 20th March 2024 at 5.30 p.m.", "JAN. 5, 2024", "5 mai 2024", "ſept 5, 2024",
    "20 मई 2024", "12/05/2024", "Mar 3 2024 09:00", "posted: 2024-05-20T10:15:00+05:30", "On Thursday, Jun 26, 2025", "Dhaka, Jun 29",
    "Ke\u212ay 5, 2024", "Dec. 31,  2024", "décembre 3, 2024", "Sat, 31 May 2025", "—", "-", "(", "", " ", "((", "- -",
]


def _lines() -> list[str]:
    lines = list(MADE_UP)
    for folder in ("items", "held_out"):
        for path in sorted((FIXTURES / "extract" / folder).iterdir()):
            text = read_item(path.read_bytes()).text
            lines += [line.strip() for line in text.split("\n") if line.strip()] + [text[-200:]]
    spec = corpus.Spec(feeds=6)
    for feed in range(spec.feeds):
        for item in parse(corpus.render(spec, feed, corpus.entries(spec, feed))).items:
            text = clean_item(item).text
            lines += [line for line in text.split("\n") if line.strip()]
    return lines + [line[:k] for line in lines[:300] for k in (8, 16, 30)] + [line[-k:] for line in lines[:300] for k in (8, 16, 30)]


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return _lines()


def test_date_line_months_by_initial_match_the_flat_alternation(lines):
    assert OLD_DATE_LINE.pattern != wrapping._DATE_LINE.pattern
    hits = 0
    for line in lines:
        for text in (line, line.strip()):
            a, b = OLD_DATE_LINE.match(text), wrapping._DATE_LINE.match(text)
            assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), text
            hits += bool(a)
    assert hits >= 15


def test_signoff_tail_gate_takes_the_mark_instead_of_looking_behind(lines):
    hits = 0
    for line in lines:
        for tail in (line[-120:], line.strip()[-120:]):
            expected = bool(OLD_ANY_SIGNOFF_TAIL.search(tail))
            assert bool(wrapping._ANY_SIGNOFF_TAIL.search(tail)) == expected, tail
            hits += expected
    assert hits >= 10


def test_closing_credit_prefilter_never_skips_a_credit(lines):
    hits = 0
    for line in lines:
        old, new = wrapping.Wrapping(), wrapping.Wrapping()
        expected = old_closing_credit(line, old)
        assert wrapping._closing_credit(line, new) == expected, line
        assert (new.agencies, new.removed) == (old.agencies, old.removed)
        hits += expected is not None
    assert hits >= 8


def test_paragraphs_checks_indented_lines_with_one_search(lines):
    odd = ["a\n b\n\nc", "a\n\tb", "a\n\xa0b\n\n\nc", "a\r\nb\r\n\r\nc", "a\rb", "\n \n", "a\n\u2009\nb", "a  b\n\n  c"]
    texts = odd + lines + ["\n".join(lines[k:k + 7]) for k in range(0, len(lines), 7)]
    for text in texts + [text.replace("\n", "\n ") for text in texts[:200]] + [text.replace("\n", "\r\n") for text in texts[:200]]:
        assert _paragraphs(text) == old_paragraphs(text), text[:80]


def test_headline_prefix_is_found_on_the_casefold_of_as_many_characters(lines):
    for line in lines[:2000]:
        for title in (line[:20], line[:20].upper(), "STRASSE " + line[:12], "Straße " + line[:12], "ΑΣ " + line[:14]):
            for text in (line, title.upper() + line, "straße " + line, "ǰ" + line):
                folded = title.casefold()
                assert text[:len(folded)].casefold().startswith(folded) == text.casefold().startswith(folded)
