"""Partner outlets' syndication disclaimers: "(... has not been edited by the Tribune Staff.)"."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from wirefeed.extract.agencies import agencies_in_names
from wirefeed.extract.folding import holds_any
from wirefeed.extract.patterns import (
    DISCLAIMER_CREDIT, DISCLAIMER_TRIGGER, DISCLAIMER_WORDS, OUTLET_PATTERNS, SELF_REFERENCES,
)

_TRIGGER = re.compile(DISCLAIMER_TRIGGER, re.IGNORECASE)
_CREDIT = re.compile(DISCLAIMER_CREDIT, re.IGNORECASE)
_OUTLETS = tuple(re.compile(p) for p in OUTLET_PATTERNS)  # case matters: outlets are capitalised
# Where a disclaimer sits inside a longer paragraph: a parenthesised span, or a
# "Disclaimer:" sentence running to the end. Both bounded, so never slow.
_PARENS = re.compile(r"\((?:[^()]{10,600})\)")
_LABELLED = re.compile(r"(?:disclaimer|note)\s*:.{10,600}$", re.IGNORECASE | re.DOTALL)
_SENTENCE_END = re.compile(r"[.!?][\"”’)]?\s+(?=[A-Z(])")
MAX_CHARS = 700  # a disclaimer is a sentence or two; a longer paragraph is body


@dataclass(frozen=True)
class Disclaimer:
    """A disclaimer found in a paragraph: the outlet it names (or None) and what to cut."""

    outlet: str | None
    cut: str
    agencies: tuple[str, ...] = ()  # agencies it names as its source ("news agency feed - PTI")


def _outlet(text: str, own_outlet: str | None) -> str | None:
    """The outlet a disclaimer names; "our staff" is the publishing outlet itself."""
    for pattern in _OUTLETS:
        match = pattern.search(text)
        if match:
            name = match["outlet"].strip(" '’\"")
            if name.casefold() in SELF_REFERENCES:
                return own_outlet
            return name
    return own_outlet


def _disclaimer(text: str, own_outlet: str | None) -> Disclaimer:
    """A Disclaimer for the cut text: its outlet and the agencies it names as source."""
    credit = _CREDIT.search(text)
    return Disclaimer(_outlet(text, own_outlet), text, agencies_in_names(credit["names"]) if credit else ())


def find_disclaimer(paragraph: str, own_outlet: str | None = None) -> Disclaimer | None:
    """The syndication disclaimer in this paragraph, if it holds one; the paragraph's body stays."""
    if len(paragraph) > 4 * MAX_CHARS or not holds_any(paragraph, DISCLAIMER_WORDS):
        return None
    return _worded_disclaimer(paragraph, own_outlet)


# An outlet closes every syndicated item with the same disclaimer paragraph: it is read once.
@lru_cache(maxsize=1024)
def _worded_disclaimer(paragraph: str, own_outlet: str | None) -> Disclaimer | None:
    """find_disclaimer of a paragraph that holds one of the trigger's words."""
    trigger = _TRIGGER.search(paragraph)
    if not trigger:
        return None
    for span in (*_PARENS.finditer(paragraph), *_LABELLED.finditer(paragraph)):
        if _TRIGGER.search(span.group()):
            return _disclaimer(span.group(), own_outlet)
    if len(paragraph) > MAX_CHARS:
        return None
    # A bare disclaimer sentence may close a body paragraph: cut from its sentence to the end.
    start = 0
    for boundary in _SENTENCE_END.finditer(paragraph, 0, trigger.start()):
        start = boundary.end()
    return _disclaimer(paragraph[start:], own_outlet)
