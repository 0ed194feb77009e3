"""text_features equals, field for field, a frozen copy of the implementation it replaced, on real and odd texts.

Databases store band keys and features computed by the old code: a new item must get the same fingerprint, shingles
(uint64 values), sentence keys, names, dates and numbers as before, or it stops finding its old copies. The frozen
copy is importable (ref_text_features) for benchmarking one against the other.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
import unicodedata
import zlib
from itertools import chain

import numpy as np
import pytest

from bench.bench_extract import generated_items
from tests.conftest import CORPORA, FIXTURES
from wirefeed.commands.dedupe import read_articles
from wirefeed.dedupe import text
from wirefeed.dedupe.match import Features, text_features
from wirefeed.errors import WirefeedError
from wirefeed.extract import extract_article

# ---------------------------------------------------------------------------------------------------------------
# The reference: match.text_features and the dedupe.text code it ran on before the rewrite for speed (commit
# 449ee21), copied verbatim, only the function names prefixed with ref_. Frozen: do not fix or speed it up.
# ---------------------------------------------------------------------------------------------------------------
SHINGLE_WORDS = 4  # short enough that a one-word edit spoils few shingles, long enough to be specific
SENTENCE_KEYS = 12  # sentences indexed per document: truncations and updates keep some of the first ones
SENTENCE_MIN_WORDS = 8  # shorter sentences ("Operations are in progress.") recur across unrelated stories

_TOKEN = re.compile(r"\d+(?:\.\d+)*|[^\W\d_]+(?:'[^\W\d_]+)*")
# Patterns that open with a literal or a character set are searched for quickly; one opening with a
# lookbehind is tried at every position (thirty times slower on a news item), so the lookbehinds come second.
_THOUSANDS = re.compile(r",(?<=\d,)(?=\d{3}\b)")
_DECIMAL_COMMA = re.compile(r",(?<=\d,)(?=\d)")
_POSSESSIVE = re.compile(r"'s\b")
# A capital opening a word (\b[A-Z]) and the letters after it, or the end of a line of ref_lines() output.
_NAME_OR_LINE_END = re.compile(r"[A-Z\n](?:(?<=\n)|(?<!\w[A-Z])[^\W\d_]+)")
# In ASCII text a token is made of these bytes only: every other byte separates tokens (a newline ends a line).
# The patterns that finish the job open with the rare character they are about, so they are searched quickly.
_LONE_POINT = re.compile(r"\.(?:(?<![0-9]\.)|(?![0-9]))")
_LONE_APOSTROPHE = re.compile(r"'(?:(?<![a-z]')|(?![a-z]))")
_ASCII_NUMBER = re.compile(r"([0-9][0-9.]*)")  # once lone points are gone: a number token, and nothing else
_ASCII_NUMBER_BYTES = bytes(b if chr(b) in "0123456789." else 32 for b in range(256))
_ASCII_TOKEN_BYTES = bytes(b if chr(b) in "abcdefghijklmnopqrstuvwxyz0123456789.'\n" else 32 for b in range(256))
# A teaser's closing link: it is not part of the story, and only truncated copies have it.
_TEASER = re.compile(r"\n\s*(?:read more|continue reading|read the full (?:story|article)|full story"
                     r"|click here to read more)\b[^\n]{0,80}\s*$", re.IGNORECASE)
# A sentence ends at . ! or ? (maybe closing a quote) before a capital or an opening quote, or at a line break.
_SENTENCE_END = re.compile(r"[.!?\n](?:(?<=[.!?])[\"”’')]*\s+(?=[\"“‘(]?[A-Z0-9])|(?<=\n)\n*)")
_WEEKDAYS = frozenset(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_MONTH_ABBR = {m[:3]: m for m in _MONTHS} | {"sept": "september"}
_MONTH_OF = {m: m for m in _MONTHS} | _MONTH_ABBR
_CALENDAR = frozenset(_WEEKDAYS) | frozenset(_MONTH_OF)
_MASK64 = (1 << 64) - 1
_SHINGLE_MULT = np.uint64(0x9E3779B97F4A7C15)
_CACHE_TOKENS = 1 << 18  # at most about 40 MB of cached token hashes


def ref_lines(text: str) -> str:
    """The text NFKC-normalized, teaser link dropped, one sentence per line (sentence ends become newlines)."""
    # Split before case-folding: a sentence starts with a capital.
    return _SENTENCE_END.sub(_ref_end_line, _TEASER.sub("", unicodedata.normalize("NFKC", text or "")))


def _ref_end_line(end: re.Match) -> str:
    """A sentence end as a newline: the closing . ! or ? stays, the quotes and spaces after it go."""
    mark = end[0][0]
    return "\n" if mark == "\n" else mark + "\n"


def ref_split_lines(text: str) -> list[list[str]]:
    """The word and number tokens of each non-empty line of ref_lines() output."""
    # One pass of each normalization over the whole text, not one per sentence: the patterns never match
    # across a newline, so the result is the same. "1,234" and "1234" are one number; a decimal comma
    # ("94,72") reads as a point; "Baku's" is "baku".
    folded = _THOUSANDS.sub("", text.casefold().replace("’", "'"))
    folded = _POSSESSIVE.sub("", _DECIMAL_COMMA.sub(".", folded))
    if folded.isascii():  # most news: whitespace is made to fall exactly between tokens, then str.split
        return [words for line in _ref_ascii_token_lines(folded).split("\n") if (words := line.split())]
    return [words for line in folded.split("\n") if (words := _TOKEN.findall(line))]


def _ref_ascii_token_lines(folded: str) -> str:
    """Case-folded ASCII text with a space wherever _TOKEN would end a token, newlines kept."""
    spaced = folded.encode("ascii").translate(_ASCII_TOKEN_BYTES).decode("ascii")
    # What is left is letters, digits, . and ': a point stays only inside a number, an apostrophe only
    # inside a word, and a number touching a word ("covid19") is two tokens, so numbers get spaces around.
    spaced = _LONE_APOSTROPHE.sub(" ", _LONE_POINT.sub(" ", spaced))
    # Split around the numbers and joined with spaces: sub() with a group reference calls Python per match (3.11).
    return " ".join(_ASCII_NUMBER.split(spaced))


def ref_sentences(text: str) -> list[list[str]]:
    """The text's sentences as lists of lower-cased word and number tokens, teaser links dropped."""
    return ref_split_lines(ref_lines(text))


def ref_tokens(text: str) -> list[str]:
    """Lower-cased word and number tokens of a text, punctuation and teaser links dropped."""
    return list(chain.from_iterable(ref_sentences(text)))


def ref_sentence_keys(split: list[list[str]]) -> list[int]:
    """Signed 64-bit hashes of the first long sentences: a sentence two texts share makes them a candidate pair."""
    out = []
    for words in split:
        if len(words) >= SENTENCE_MIN_WORDS:
            digest = hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=8).digest()
            out.append(int.from_bytes(digest, "big", signed=True))
            if len(out) == SENTENCE_KEYS:
                break
    return out


def ref_fingerprint(toks: list[str]) -> str:
    """Exact fingerprint of normalized text: equal only for the same words in the same order."""
    return hashlib.blake2b(" ".join(toks).encode("utf-8"), digest_size=16).hexdigest()


class _RefCrc32Cache(dict):
    """crc32 of tokens seen before: news repeats a vocabulary, so most tokens are a dict hit, not an encode."""

    def __missing__(self, token: str) -> int:
        if len(self) >= _CACHE_TOKENS:  # bounded memory: start afresh rather than track recency
            self.clear()
        value = self[token] = zlib.crc32(token.encode("utf-8"))
        return value


_REF_CRC32 = _RefCrc32Cache()


def ref_token_hashes(toks: list[str]) -> np.ndarray:
    """A stable 32-bit hash of every token (crc32: the same in every process, unlike hash())."""
    return np.fromiter(map(_REF_CRC32.__getitem__, toks), dtype=np.uint64, count=len(toks))


def ref_shingles(hashes: np.ndarray, k: int = SHINGLE_WORDS) -> np.ndarray:
    """Sorted unique 64-bit hashes of every run of k consecutive tokens (the whole text if shorter)."""
    n = len(hashes)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    k = min(k, n)
    acc = np.zeros(n - k + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):  # wrap-around multiplication is the hash
        for j in range(k):
            acc = (acc ^ hashes[j:n - k + 1 + j]) * _SHINGLE_MULT
    return ref_unique_sorted(acc)


def ref_unique_sorted(values: np.ndarray) -> np.ndarray:
    """np.unique of a 1-d array, by sort and compare (numpy 2's np.unique hashes first: six times slower here)."""
    values = np.sort(values)
    keep = np.empty(len(values), dtype=bool)
    keep[:1] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def ref_names(text: str) -> frozenset:
    """Capitalized words not opening a sentence, lower-cased: the people, places and firms a text is about."""
    return ref_names_in_lines(ref_lines(text))


def ref_names_in_lines(text: str) -> frozenset:
    """ref_names() of a text already passed through ref_lines()."""
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


def ref_facts(toks: list[str]) -> tuple[frozenset, frozenset]:
    """The dates (weekdays, month-day) and the numbers a text states: copies agree on them."""
    # Set operations and one search find the few calendar words and numbers; only those are looked at in place.
    joined = " ".join(toks)
    if joined.isascii():  # letters and apostrophes blanked out, what is left are the number tokens
        numbers = set(joined.encode("ascii").translate(_ASCII_NUMBER_BYTES).decode("ascii").split())
    else:
        numbers = {token for token in set(toks) if token[0].isdigit()}
    dates = set()
    for word in _CALENDAR.intersection(toks):
        if word in _WEEKDAYS:
            dates.add(word)
            continue
        at = -1
        while (at := _ref_index(toks, word, at + 1)) >= 0:
            if at + 1 < len(toks) and toks[at + 1].isdigit() and len(toks[at + 1]) <= 2:
                dates.add(f"{_MONTH_OF[word]} {int(toks[at + 1])}")
            elif at > 0 and toks[at - 1].isdigit() and len(toks[at - 1]) <= 2:
                dates.add(f"{_MONTH_OF[word]} {int(toks[at - 1])}")
    return frozenset(dates), frozenset(numbers)


def _ref_index(toks: list[str], word: str, start: int) -> int:
    """Position of word in toks from start on, or -1."""
    try:
        return toks.index(word, start)
    except ValueError:
        return -1


REF_MIN_TOKENS = 12  # match.MIN_TOKENS


def ref_text_features(body: str, title: str = "") -> Features:
    """The features that come from the words alone: no time, dateline or agencies."""
    body_lines = ref_lines(body)
    split = ref_split_lines(body_lines)
    toks = list(chain.from_iterable(split))
    if len(toks) < REF_MIN_TOKENS:
        # Headlines differ between outlets, so they only count when there is nothing else.
        split = ref_sentences(title) + split
        toks = list(chain.from_iterable(split))
    if len(toks) < REF_MIN_TOKENS:
        return Features(None, np.zeros(0, dtype=np.uint64))
    dates, numbers = ref_facts(toks)
    return Features(fingerprint=ref_fingerprint(toks), shingles=ref_shingles(ref_token_hashes(toks)),
                    sentences=tuple(ref_sentence_keys(split)), names=ref_names_in_lines(body_lines),
                    dates=dates, numbers=numbers)


# ---------------------------------------------------------------------------------------------------------------
# The comparison
# ---------------------------------------------------------------------------------------------------------------
FIELDS = ("fingerprint", "sentences", "names", "dates", "numbers")
SHARED_STRIDE = 4  # every fourth file of the shared feed corpora (all of them take 13 s to parse and extract)
SHARED_MAX_BYTES = 60_000
SEMEVAL_STRIDE = 10  # every tenth SemEval pair: English and ten other languages


def differences(body: str, title: str = "") -> list[str]:
    """The fields in which text_features differs from the frozen reference ([] when none)."""
    new, old = text_features(body, title), ref_text_features(body, title)
    found = [name for name in FIELDS if getattr(new, name) != getattr(old, name)]
    if not (new.shingles.dtype == old.shingles.dtype == np.uint64 and np.array_equal(new.shingles, old.shingles)):
        found.append("shingles")
    if any(type(key) is not int for key in new.sentences):
        found.append("sentence key type")
    return found + entry_point_differences(body)


def entry_point_differences(body: str) -> list[str]:
    """The public helpers of wirefeed.dedupe.text (a text or token list in) that differ from the frozen reference."""
    split, toks = ref_sentences(body), ref_tokens(body)
    hashes = ref_token_hashes(toks)
    checks = {
        "text.sentences": text.sentences(body) == split,
        "text.tokens": text.tokens(body) == toks,
        "text.names": text.names(body) == ref_names(body),
        "text.facts": text.facts(toks) == ref_facts(toks),
        "text.fingerprint": text.fingerprint(toks) == ref_fingerprint(toks),
        "text.sentence_keys": text.sentence_keys(split) == ref_sentence_keys(split),
        "text.token_hashes": np.array_equal(text.token_hashes(toks), hashes),
        "text.shingles": np.array_equal(text.shingles(hashes), ref_shingles(hashes)),
    }
    return [name for name, same in checks.items() if not same]


def assert_same(pairs) -> int:
    """Compare every (body, title), also the title alone and a short start of the body with the title."""
    bad, count = [], 0
    for body, title in pairs:
        for case in ((body, title), ("", body), (body[:120], title)):
            count += 1
            if found := differences(*case):
                bad.append((found, case[0][:200], case[1][:80]))
    assert not bad, f"{len(bad)} of {count} differ, first: {bad[:3]}"
    return count


def articles(path) -> list[tuple[str, str]]:
    """(text, title) of each extracted article of a file, as dedupe reads it; [] when it holds none."""
    try:
        found = read_articles(str(path))
    except WirefeedError:
        return []
    return [(a.text or a.item.text, a.title or a.item.title) for a in found]


def test_labelled_and_held_out_fixtures():
    files = sorted((FIXTURES / "dedupe").glob("*.txt")) + sorted((FIXTURES / "extract" / "held_out").iterdir())
    pairs = [pair for path in files for pair in articles(path)]
    pairs += [(path.read_bytes().decode("utf-8", "replace"), "") for path in files]  # raw files too
    assert len(pairs) > 100
    assert_same(pairs)


def test_generated_bench_items():
    pairs = [(a.text or a.item.text, a.title or a.item.title) for a in map(extract_article, generated_items(feeds=6))]
    assert len(pairs) == 300
    assert_same(pairs)


@pytest.mark.skipif(not (CORPORA / "feeds").is_dir(), reason=f"corpus not found at {CORPORA}")
def test_shared_feed_and_wire_items():
    files = [path for root in (CORPORA / "feeds", CORPORA / "news" / "wire") for path in sorted(root.rglob("*"))
             if path.is_file() and path.stat().st_size <= SHARED_MAX_BYTES][::SHARED_STRIDE]
    pairs = [pair for path in files for pair in articles(path)]
    assert len(pairs) > 400
    assert_same(pairs)


@pytest.mark.skipif(not (CORPORA / "news" / "semeval2022_task8").is_dir(), reason=f"corpus not found at {CORPORA}")
def test_semeval_news_in_eleven_languages():
    pairs = []
    for path in sorted((CORPORA / "news" / "semeval2022_task8").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines()[::SEMEVAL_STRIDE]:
            row = json.loads(line)
            pairs += [(row["text1"], ""), (row["text2"], "")]
    assert len(pairs) > 400
    assert_same(pairs)


ODD = [
    "", " ", "\n\n\n", "12 34 56 78 90 11 22 33 44 55 66 77 88", "1,234 5,67 8.9.10 1..2 .5 5. 1.000,5 2,000,000",
    "ﬁnancial ﬂows ﬀ Ⅻ ① ２０２５ Ｔｏｋｙｏ ＡＢＣ ㎞ ½ x² ſ K Å ǅ",  # NFKC changes these
    "Straße STRASSE İstanbul ΣΑΣ Ωmega Ελλάδα Москва Київ 北京 東京 서울 القاهرة דוד हिन्दी",
    "“Quoted,” he said. ‘Single’ — dashes – and… ellipses. «Guillemets» „low“ O’Brien’s D’Souza rock’n’roll",
    "Mr. Smith went to Washington. U.S. forces left at 5 p.m. He said: \"Go!\" Then? (Yes.) 'No.' [Maybe.]",
    "covid19 2nd 10am 3pm 1980s G20 5G h1n1 mp3 x_Abc 3Abc ab3Cd _Under snake_Case A1B2C3 B2B",
    "PTI ZA NSK ANI AP Reuters AFP IANS. Monday May 5, June 17 and 18 May; Sept 3 sept. 30 Jan Feb 31 DEC 1",
    "The Katz's, KATZ'S and katz's; it's, IT'S, 'quoted' words' ends' 's 'S ''double'' '''",
    "Read more", "\nRead more", "Body text here.\n\nRead more at the site", "Body.\n\n  CONTINUE READING »  \n\n",
    "Body.\nclİck here to read more", "x " * 5000, "word " * 3000 + "\n" + "Name Other " * 2000,
    "A" * 10000, "1" * 500 + " " + "a" * 500, ".!?" * 300, "\n".join(["Line One two three four five six seven"] * 40),
    "Zero\u200bwidth\u00a0nbsp\u2028line\u2029para\x85next\x1cfs\x1dgs\x1ers\x1fus\x0bvt\x0cff\rcr\ttab",
    "Ⅰ. Roman ⅱ. numerals ⑴ ⒈ ¹²³ ٣٤ ١٢ ۱۲ ०१ ๑๒ May ٣ June ۱۲ Monday",
    "\ud800 lone surrogate? no: \ufffd replacement \ufeffbom \u0301 combining e\u0301 é",
]
PIECES = ["A", "a", "Z", "b", "1", "23", "4.5", ".", "!", "?", "'", "’", "‘", "“", "”", '"', "(", ")", " ", "  ", "\n",
          "\n\n", "\t", ",", "ﬁ", "１２", "ß", "É", "é", "İ", "_", "-", "—", "Read more", "read the full story", "Mr.",
          "U.S.", "May", "june", "5", "PTI", "ZA", "Katz", "O'Brien", "Katz's", "covid19", "2nd", "1,234", "94,72",
          "Monday", "Sept", "\u00a0", "\u2028", "\x85", "\x1c", "٣", "中文", "Ⅻ", "ǅ", "Ａｂｃ", "I", "iPhone", "5G",
          "...", "?!", ".”", "’ ", "\r\n", "'s", "..", "1.", ".5", "a.b", "The", "Delhi", "Jan", "12", "2025", "ΣΑΣ", "–", "‘a"]


def test_a_full_token_cache_starts_afresh(monkeypatch):
    monkeypatch.setattr(text, "_CACHE_TOKENS", 40)  # a cache this small is cleared several times per text
    monkeypatch.setattr(text, "_CRC32_BYTES", {text._LINE_MARK: text._LINE_MARK_HASH})
    assert_same([(odd, "") for odd in ODD[:9]] + [(" ".join(map(str, range(i, i + 60))), "") for i in range(5)])
    assert len(text._CRC32_BYTES) <= 61  # a text's 60 numbers and the line mark, over the limit for that text only


def test_odd_texts():
    pairs = [(text, "") for text in ODD] + [("", text) for text in ODD] + [(ODD[i], ODD[-1 - i]) for i in range(len(ODD))]
    assert_same(pairs)


def test_random_texts_of_tricky_pieces():
    rng = random.Random(20260607)
    pairs = []
    for _ in range(800):
        body = "".join(rng.choice(PIECES) + " " * rng.randint(0, 1) for _ in range(rng.randint(0, 60)))
        if rng.random() < 0.5:  # enough plain words for every feature to be computed, whatever the pieces gave
            body += rng.choice((" ", "\n", ". ")) + "one two three four five six seven eight nine ten eleven twelve"
        pairs.append((body, "".join(rng.choice(PIECES) + " " for _ in range(rng.randint(0, 12)))))
    assert_same(pairs)
