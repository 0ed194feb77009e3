"""Text normalization for deduplication: tokens, shingle hashes, exact fingerprints and stated facts."""
from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib

import numpy as np

SHINGLE_WORDS = 4  # short enough that a one-word edit spoils few shingles, long enough to be specific
SENTENCE_KEYS = 12  # sentences indexed per document: truncations and updates keep some of the first ones
SENTENCE_MIN_WORDS = 8  # shorter sentences ("Operations are in progress.") recur across unrelated stories

_TOKEN = re.compile(r"\d+(?:\.\d+)*|[^\W\d_]+(?:'[^\W\d_]+)*")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
_POSSESSIVE = re.compile(r"'s\b")
_NAME = re.compile(r"\b[A-Z][^\W\d_]+")
# A teaser's closing link: it is not part of the story, and only truncated copies have it.
_TEASER = re.compile(r"\n\s*(?:read more|continue reading|read the full (?:story|article)|full story"
                     r"|click here to read more)\b[^\n]{0,80}\s*$", re.IGNORECASE)
# A sentence ends at . ! or ? (maybe closing a quote) before a capital or an opening quote, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’')]*\s+(?=[\"“‘(]?[A-Z0-9])|\n+")
_WEEKDAYS = frozenset(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_MONTH_ABBR = {m[:3]: m for m in _MONTHS} | {"sept": "september"}
_MONTH_OF = {m: m for m in _MONTHS} | _MONTH_ABBR
_CALENDAR = frozenset(_WEEKDAYS) | frozenset(_MONTH_OF)
_MASK64 = (1 << 64) - 1
_SHINGLE_MULT = np.uint64(0x9E3779B97F4A7C15)


def _words(sentence: str) -> list[str]:
    """Normalized tokens of one stretch of text that is already NFKC and case-folded."""
    # "1,234" and "1234" are one number; a decimal comma ("94,72") reads as a point; "Baku's" is "baku".
    sentence = _THOUSANDS.sub("", sentence.replace("’", "'"))
    return _TOKEN.findall(_POSSESSIVE.sub("", _DECIMAL_COMMA.sub(".", sentence)))


def sentences(text: str) -> list[list[str]]:
    """The text's sentences as lists of lower-cased word and number tokens, teaser links dropped."""
    text = _TEASER.sub("", unicodedata.normalize("NFKC", text or ""))
    # Split before case-folding: a sentence starts with a capital.
    return [words for part in _SENTENCE_END.split(text) if (words := _words(part.casefold()))]


def tokens(text: str) -> list[str]:
    """Lower-cased word and number tokens of a text, punctuation and teaser links dropped."""
    return [token for sentence in sentences(text) for token in sentence]


def sentence_keys(split: list[list[str]]) -> list[int]:
    """Signed 64-bit hashes of the first long sentences: a sentence two texts share makes them a candidate pair."""
    out = []
    for words in split:
        if len(words) >= SENTENCE_MIN_WORDS:
            digest = hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=8).digest()
            out.append(int.from_bytes(digest, "big", signed=True))
            if len(out) == SENTENCE_KEYS:
                break
    return out


def fingerprint(toks: list[str]) -> str:
    """Exact fingerprint of normalized text: equal only for the same words in the same order."""
    return hashlib.blake2b(" ".join(toks).encode("utf-8"), digest_size=16).hexdigest()


def token_hashes(toks: list[str]) -> np.ndarray:
    """A stable 32-bit hash of every token (crc32: the same in every process, unlike hash())."""
    return np.fromiter((zlib.crc32(t.encode("utf-8")) for t in toks), dtype=np.uint64, count=len(toks))


def shingles(hashes: np.ndarray, k: int = SHINGLE_WORDS) -> np.ndarray:
    """Sorted unique 64-bit hashes of every run of k consecutive tokens (the whole text if shorter)."""
    n = len(hashes)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    k = min(k, n)
    acc = np.zeros(n - k + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):  # wrap-around multiplication is the hash
        for j in range(k):
            acc = (acc ^ hashes[j:n - k + 1 + j]) * _SHINGLE_MULT
    return np.unique(acc)


def names(text: str) -> frozenset:
    """Capitalized words not opening a sentence, lower-cased: the people, places and firms a text is about."""
    found = set()
    for sentence in _SENTENCE_END.split(_TEASER.sub("", unicodedata.normalize("NFKC", text or ""))):
        for word in _NAME.findall(sentence.replace("’", "'"))[1:]:
            # Desk codes of a sign-off ("PTI ZA NSK") and calendar words (compared as dates) are not names.
            if not (word.isupper() and len(word) <= 3) and word.casefold() not in _CALENDAR:
                found.add(word.casefold())
    return frozenset(found)


def facts(toks: list[str]) -> tuple[frozenset, frozenset]:
    """The dates (weekdays, month-day) and the numbers a text states: copies agree on them."""
    dates, numbers = set(), set()
    for i, token in enumerate(toks):
        if token in _WEEKDAYS:
            dates.add(token)
        elif token in _MONTH_OF and i + 1 < len(toks) and toks[i + 1].isdigit() and len(toks[i + 1]) <= 2:
            dates.add(f"{_MONTH_OF[token]} {int(toks[i + 1])}")
        elif token in _MONTH_OF and i > 0 and toks[i - 1].isdigit() and len(toks[i - 1]) <= 2:
            dates.add(f"{_MONTH_OF[token]} {int(toks[i - 1])}")
        elif token[0].isdigit():
            numbers.add(token)
    return frozenset(dates), frozenset(numbers)
