"""Text normalization for deduplication: tokens, shingle hashes, exact fingerprints and stated facts."""
from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from itertools import chain
from operator import itemgetter

import numpy as np

SHINGLE_WORDS = 4  # short enough that a one-word edit spoils few shingles, long enough to be specific
SENTENCE_KEYS = 12  # sentences indexed per document: truncations and updates keep some of the first ones
SENTENCE_MIN_WORDS = 8  # shorter sentences ("Operations are in progress.") recur across unrelated stories

_TOKEN = re.compile(r"\d+(?:\.\d+)*|[^\W\d_]+(?:'[^\W\d_]+)*")
# Patterns that open with a literal or a character set are searched for quickly; one opening with a
# lookbehind is tried at every position (thirty times slower on a news item), so the lookbehinds come second.
_THOUSANDS = re.compile(r",(?<=\d,)(?=\d{3}\b)")
_DECIMAL_COMMA = re.compile(r",(?<=\d,)(?=\d)")
_POSSESSIVE = re.compile(r"'s\b")
# A capital opening a word (\b[A-Z]) and the letters after it, or the end of a line of bare_lines() output.
_NAME_OR_LINE_END = re.compile(r"[A-Z\n](?:(?<=\n)|(?<!\w[A-Z])[^\W\d_]+)")
# In ASCII text a token is made of these bytes only: every other byte separates tokens (a newline ends a line).
# The patterns that finish the job open with the rare character they are about, so they are searched quickly.
_LONE_POINT = re.compile(r"\.(?:(?<![0-9]\.)|(?![0-9]))")
_LONE_APOSTROPHE = re.compile(r"'(?:(?<![a-z]')|(?![a-z]))")
_ASCII_NUMBER = re.compile(r"([0-9][0-9.]*)")  # once lone points are gone: a number token, and nothing else
_ASCII_TOKEN_BYTES = bytes(b if chr(b) in "abcdefghijklmnopqrstuvwxyz0123456789.'\n" else 32 for b in range(256))
# A teaser's closing link: it is not part of the story, and only truncated copies have it.
_TEASER = re.compile(r"\n\s*(?:read more|continue reading|read the full (?:story|article)|full story"
                     r"|click here to read more)\b[^\n]{0,80}\s*$", re.IGNORECASE)
# A sentence ends at . ! or ? (maybe closing a quote) before a capital or an opening quote, or at a line break.
_WEEKDAYS = frozenset(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_MONTH_ABBR = {m[:3]: m for m in _MONTHS} | {"sept": "september"}
_MONTH_OF = {m: m for m in _MONTHS} | _MONTH_ABBR
_CALENDAR = frozenset(_WEEKDAYS) | frozenset(_MONTH_OF)
_SHINGLE_MULT = np.uint64(0x9E3779B97F4A7C15)
_CACHE_TOKENS = 1 << 18  # at most about 40 MB of cached token hashes


def sentences(text: str) -> list[list[str]]:
    """The text's sentences as lists of lower-cased word and number tokens, teaser links dropped."""
    return [words for line in token_lines(bare_lines(text)).split("\n") if (words := line.split())]


def tokens(text: str) -> list[str]:
    """Lower-cased word and number tokens of a text, punctuation and teaser links dropped."""
    return list(chain.from_iterable(sentences(text)))


def sentence_keys(split: list[list[str]]) -> list[int]:
    """Signed 64-bit hashes of the first long sentences: a sentence two texts share makes them a candidate pair."""
    marked = [_LINE_MARK, *chain.from_iterable([*words, _LINE_MARK] for words in split)]
    return list(mark_keys(" ".join(marked)))


def fingerprint(toks: list[str]) -> str:
    """Exact fingerprint of normalized text: equal only for the same words in the same order."""
    return joined_fingerprint(" ".join(toks))


def token_hashes(toks: list[str]) -> np.ndarray:
    """A stable 32-bit hash of every token (crc32: the same in every process, unlike hash())."""
    return marked_hashes(toks)


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """np.unique of a 1-d array, by sort and compare (numpy 2's np.unique hashes first: six times slower here)."""
    values = np.sort(values)
    keep = np.empty(len(values), dtype=bool)
    keep[:1] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def names(text: str) -> frozenset:
    """Capitalized words not opening a sentence, lower-cased: the people, places and firms a text is about."""
    return line_names(bare_lines(text))


def names_in_lines(text: str) -> frozenset:
    """names() of a text already split into lines (bare_lines() output): the exact path for any script."""
    found, opening = set(), True
    for word in _NAME_OR_LINE_END.findall(text):
        if word == "\n":
            opening = True
        elif opening:  # the first capitalized word of a sentence may be capitalized only for opening it
            opening = False
        # Desk codes of a sign-off ("PTI ZA NSK") and calendar words (compared as dates) are not names.
        elif not (word.isupper() and len(word) <= 3) and (folded := word.casefold()) not in _CALENDAR:
            found.add(folded)
    return frozenset(found)


def facts(toks: list[str]) -> tuple[frozenset, frozenset]:
    """The dates (weekdays, month-day) and the numbers a text states: copies agree on them."""
    return marked_facts(toks, " ".join(toks))


def _index(toks: list[str], word: str, start: int) -> int:
    """Position of word in toks from start on, or -1."""
    try:
        return toks.index(word, start)
    except ValueError:
        return -1


# ---------------------------------------------------------------------------------------------------------------
# The one implementation of tokens, lines, names, facts and hashes (the functions above are its entry points for a
# plain text or token list). It gives the same values as the earlier line-by-line code, which stored keys and
# features depend on: tests/unit/test_dedupe_text_features_frozen.py compares every field with a frozen copy of that
# code. Each pass is cheap: a regular
# expression opening with a character set is tried at every character (several times slower than one opening with a
# literal, which is searched for), so each pass here opens with a literal or is a bytes.translate; the tokens are
# split once, with a mark for each line end, and looked up in one C call.
# ---------------------------------------------------------------------------------------------------------------
# One sentence-end pattern per mark, each opening with its literal, replaced by a bare newline. Neither the mark (never
# a token, nor the character before a name) nor the blank lines left matter: the non-empty lines are those of the
# earlier lines() (one sentence a line), and so are the words and names. A later pattern may now reach past an
# earlier newline, which only drops punctuation.
_SENTENCE_STOPS = tuple((mark, re.compile(re.escape(mark) + r"[\"”’')]*\s+(?=[\"“‘(]?[A-Z0-9])")) for mark in ".!?")
# Quotes and dashes after the sentence ends are found: like their ASCII stand-ins they are no word characters, and
# the apostrophe is one already for the tokens; the opening single quote must not be one (it would join words).
_TYPOGRAPHIC_AS_ASCII = (("’", "'"), ("“", '"'), ("”", '"'), ("‘", '"'), ("—", "-"), ("–", "-"))
# _TEASER ends the text: its phrase starts at most 80 + 23 characters before the end, trailing whitespace stripped.
_TEASER_REACH = 120
_TOKEN_OR_LINE_END = re.compile(r"\n|" + _TOKEN.pattern)
# ASCII text is tokenised as bytes, case-folded by the translation table: the possessive is matched in either case.
_THOUSANDS_BYTES = re.compile(_THOUSANDS.pattern.encode("ascii"))
_DECIMAL_COMMA_BYTES = re.compile(_DECIMAL_COMMA.pattern.encode("ascii"))
_POSSESSIVE_BYTES = re.compile(rb"'[sS]\b")
_ASCII_LOWER_TOKEN_BYTES = bytes(_ASCII_TOKEN_BYTES[ord(chr(b).lower())] if 65 <= b <= 90 else _ASCII_TOKEN_BYTES[b]
                                 for b in range(256))
_LONE_POINT_BYTES = re.compile(_LONE_POINT.pattern.encode("ascii"))
_LONE_APOSTROPHE_BYTES = re.compile(_LONE_APOSTROPHE.pattern.encode("ascii"))
_ASCII_NUMBER_SPLIT = re.compile(_ASCII_NUMBER.pattern.encode("ascii"))
# Letters as "a" and digits as "0": a number touching a word ("covid19", "2nd") shows as "0a" or "a0".
_ASCII_CLASS_BYTES = bytes(97 if 97 <= b <= 122 else 48 if 48 <= b <= 57 else 32 for b in range(256))
_NUMBER_TOUCHING_WORD = re.compile(rb"0(?:a|(?<=a0))")
_ASCII_LETTERS = b"abcdefghijklmnopqrstuvwxyz'"  # deleted from ASCII tokens, they leave the numbers
# Word characters (\w in ASCII) and newlines kept, everything else a space: a name is a capital after a space.
_ASCII_WORD_BYTES = bytes(b if chr(b).isalnum() and b < 128 or chr(b) in "_\n" else 32 for b in range(256))
_ASCII_NAME = re.compile(r" ([A-Z][A-Za-z]+)")
# A line's first capitalized word (its opening, which names_in_lines skips) when it is not the line's first word.
_ASCII_LATE_OPENING = re.compile(r"\n(?![A-Z][A-Za-z])[^\n]*? ([A-Z][A-Za-z]+)")
# Each token's crc32 as 8 little-endian bytes; a line end's mark has none.
_LINE_MARK = "|"
_LINE_MARK_HASH = b""
_BLAKE2B = hashlib.blake2b


# A plain dict, filled by _learn_hashes: operator.itemgetter looks a plain dict up in C (a dict subclass, even with
# only __missing__ added, is looked up through its __getitem__ method, twice as slow).
_CRC32_BYTES = {_LINE_MARK: _LINE_MARK_HASH}


def _learn_hashes(tokens) -> None:
    """Put the crc32 bytes of the tokens not known yet in _CRC32_BYTES (started afresh, with all of them, when full)."""
    new = set(tokens).difference(_CRC32_BYTES)
    if len(_CRC32_BYTES) + len(new) > _CACHE_TOKENS:
        _CRC32_BYTES.clear()
        _CRC32_BYTES[_LINE_MARK] = _LINE_MARK_HASH
        new = set(tokens).difference(_CRC32_BYTES)
    for token in new:
        _CRC32_BYTES[token] = zlib.crc32(token.encode("utf-8")).to_bytes(8, "little")


def bare_lines(text: str) -> str:
    """The text NFKC-normalized, teaser link dropped, one sentence a line (blank lines between them), after a newline."""
    body = unicodedata.normalize("NFKC", text or "")
    tail = body.rstrip()[-_TEASER_REACH:]
    if not tail.isascii() or _has_teaser_words(tail.lower()):  # non-ASCII letters may match under IGNORECASE
        body = _TEASER.sub("", body)
    for mark, stop in _SENTENCE_STOPS:
        if mark in body:
            body = stop.sub("\n", body)
    if not body.isascii():  # most English news is ASCII but for its quotes and dashes: the ASCII paths take it then
        for typographic, plain in _TYPOGRAPHIC_AS_ASCII:
            body = body.replace(typographic, plain)
    return "\n" + body


def _has_teaser_words(tail: str) -> bool:
    """True when a lower-cased text holds a phrase _TEASER opens with ("click here to read more" has "read more")."""
    return "read more" in tail or "continue reading" in tail or "read the full" in tail or "full story" in tail


def token_lines(text: str) -> str:
    """The lower-cased word and number tokens of bare_lines() output, as text: whitespace between tokens, newlines
    between lines."""
    if text.isascii():
        data = text.encode("ascii")
        if b"," in data:
            data = _DECIMAL_COMMA_BYTES.sub(b".", _THOUSANDS_BYTES.sub(b"", data))
        if b"'" in data:
            data = _POSSESSIVE_BYTES.sub(b"", data)
        return _ascii_words(data.translate(_ASCII_LOWER_TOKEN_BYTES))
    folded = _THOUSANDS.sub("", text.casefold().replace("’", "'"))
    folded = _POSSESSIVE.sub("", _DECIMAL_COMMA.sub(".", folded))
    if folded.isascii():
        return _ascii_words(folded.encode("ascii").translate(_ASCII_TOKEN_BYTES))
    return " ".join(_TOKEN_OR_LINE_END.findall(folded))


def _ascii_words(spaced: bytes) -> str:
    """ASCII tokens from bytes translated by _ASCII_TOKEN_BYTES: lone points and apostrophes, and numbers touching a
    word, split off."""
    if b"." in spaced:
        spaced = _LONE_POINT_BYTES.sub(b" ", spaced)
    if b"'" in spaced:
        spaced = _LONE_APOSTROPHE_BYTES.sub(b" ", spaced)
    if _NUMBER_TOUCHING_WORD.search(spaced.translate(_ASCII_CLASS_BYTES)):
        spaced = b" ".join(_ASCII_NUMBER_SPLIT.split(spaced))
    return spaced.decode("ascii")


def marked_tokens(words: str) -> tuple[list[str], int]:
    """The tokens of token_lines() output, a _LINE_MARK first, last and for each newline; and the number of tokens."""
    marked = f"\n{words}\n".replace("\n", " | ").split()
    return marked, len(marked) - 2 - words.count("\n")


def marked_hashes(marked: list[str], numbers=()) -> np.ndarray:
    """token_hashes() of the tokens of marked_tokens() output (the marks left out), given its numbers or none."""
    if new := frozenset(numbers).difference(_CRC32_BYTES):  # most tokens seen for the first time are numbers
        _learn_hashes(new)
    lookup = itemgetter(_LINE_MARK, *marked)  # two items at least: a tuple comes back
    try:
        found = lookup(_CRC32_BYTES)
    except KeyError:
        _learn_hashes(marked)
        found = lookup(_CRC32_BYTES)
    return np.frombuffer(b"".join(found), dtype="<u8")


def joined_fingerprint(plain: str) -> str:
    """fingerprint() of tokens already joined by single spaces."""
    return _BLAKE2B(plain.encode("utf-8"), digest_size=16).hexdigest()


def unmarked(joined: str) -> str:
    """The tokens of marked_tokens() output (which opens with a mark) joined by single spaces, the marks dropped."""
    return joined.replace(" |", "")[2:]


def mark_keys(joined: str) -> tuple[int, ...]:
    """sentence_keys() of the lines of marked_tokens() output joined by single spaces."""
    # Between two marks, " t1 t2 ... tn ": n + 1 spaces (before the first mark and after the last, nothing).
    out = []
    for line in joined.split(_LINE_MARK):
        if line.count(" ") > SENTENCE_MIN_WORDS:
            out.append(int.from_bytes(_BLAKE2B(line[1:-1].encode("utf-8"), digest_size=8).digest(), "big", signed=True))
            if len(out) == SENTENCE_KEYS:
                break
    return tuple(out)


def shingles(hashes: np.ndarray, k: int = SHINGLE_WORDS) -> np.ndarray:
    """Sorted unique 64-bit hashes of every run of k consecutive tokens (the whole text if shorter).

    Computed in place, the repeats looked for only once sorted (there rarely are any).
    """
    n = len(hashes)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    k = min(k, n)
    m = n - k + 1
    acc = hashes[:m] * _SHINGLE_MULT  # an array's product wraps around without a warning
    for j in range(1, k):
        acc ^= hashes[j:m + j]
        acc *= _SHINGLE_MULT
    acc.sort()
    repeats = acc[1:] == acc[:-1]
    if repeats.any():
        return acc[np.concatenate(([True], ~repeats))]
    return acc


def line_names(text: str) -> frozenset:
    """names_in_lines() of bare_lines() output."""
    if not text.isascii():
        return names_in_lines(text)
    # A capitalized word right after a newline opens its line: not matched. Others follow a space; a line's first
    # one of those opens it when the line itself does not open with one, and is taken off once.
    spaced = text.encode("ascii").translate(_ASCII_WORD_BYTES).decode("ascii")
    found = _ASCII_NAME.findall(spaced)
    names = set(found)
    if openings := _ASCII_LATE_OPENING.findall(spaced):
        for word in set(openings):
            if found.count(word) == openings.count(word):
                names.discard(word)
    return frozenset({word.casefold() for word in names if not (len(word) <= 3 and word.isupper())} - _CALENDAR)


def marked_facts(marked: list[str], plain: str) -> tuple[frozenset, frozenset]:
    """facts() of marked tokens, given the tokens joined by single spaces too."""
    if plain.isascii():
        numbers = set(plain.encode("ascii").translate(None, _ASCII_LETTERS).decode("ascii").split())
    else:
        numbers = {token for token in set(plain.split()) if token[0].isdigit()}
    dates = set()
    for word in _CALENDAR.intersection(marked):
        if word in _WEEKDAYS:
            dates.add(word)
            continue
        at = -1
        while (at := _index(marked, word, at + 1)) >= 0:
            after, before = _next_token(marked, at, 1), _next_token(marked, at, -1)
            if after is not None and after.isdigit() and len(after) <= 2:
                dates.add(f"{_MONTH_OF[word]} {int(after)}")
            elif before is not None and before.isdigit() and len(before) <= 2:
                dates.add(f"{_MONTH_OF[word]} {int(before)}")
    return frozenset(dates), frozenset(numbers)


def _next_token(marked: list[str], at: int, step: int) -> str | None:
    """The token after (step 1) or before (step -1) position at, marks skipped; None at either end."""
    at += step
    while 0 <= at < len(marked) and marked[at] == _LINE_MARK:
        at += step
    return marked[at] if 0 <= at < len(marked) else None
