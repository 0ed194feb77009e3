"""What a document contributes to deduplication, and the exact check that two documents are one story."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime, timedelta
from itertools import chain

import numpy as np

from wirefeed.dedupe import minhash, text
from wirefeed.models import Article, Dateline

MIN_TOKENS = 12  # fewer words than this (a bare headline, a teaser) cannot tell two stories apart
JACCARD = 0.5  # edited copies: new headline, a changed word per paragraph, a dropped sentence
CONTAINMENT = 0.7  # truncated copies and late updates: most of the shorter copy is in the longer one
# A late update that rewrote the lead of a short first take keeps only half of it; the same agency and
# dateline place vouch for it (SemEval's rewrites by other outlets reach 0.54 without that credit).
CREDITED_CONTAINMENT = 0.5
MAX_GAP = timedelta(days=7)  # the same words a week apart are a recurring note, not a late copy
NUMBER_CONFLICTS = 2  # a late update corrects a figure or two; most figures differing mean another day's note
NAME_CONFLICTS = 3  # an edit may respell a name or two; a template filled in for another firm changes more


@dataclass(frozen=True)
class Features:
    """A document reduced to what the dedupe layers compare."""

    fingerprint: str | None
    shingles: np.ndarray = field(repr=False)
    sentences: tuple[int, ...] = ()
    dates: frozenset = frozenset()
    numbers: frozenset = frozenset()
    published_at: datetime | None = None
    dateline_date: date | None = None
    dateline_place: str | None = None
    agencies: frozenset = frozenset()
    names: frozenset = frozenset()

    @cached_property
    def band_keys(self) -> np.ndarray:
        """The LSH band keys under which this document is indexed (none when it is too short)."""
        if self.fingerprint is None:
            return np.zeros(0, dtype=np.int64)
        # Whole-text bands find edited copies; shared sentences find truncations and late updates.
        return np.concatenate([minhash.keys(self.shingles), np.array(self.sentences, dtype=np.int64)])


def batch_index_keys(feats: list[Features]) -> list[np.ndarray]:
    """Each document's band keys, distinct and sorted (the keys it is indexed under), computed together."""
    keyed = [f for f in feats if f.fingerprint is not None]
    if not keyed:
        return [np.zeros(0, dtype=np.int64) for _ in feats]
    minhash_keys = minhash.batch_key_matrix([f.shingles for f in keyed])
    # One row per document, its sentence keys after its MinHash keys, short rows padded with their first key
    # (a repeat, dropped with the others): sorted and told apart in a few numpy calls, not a few per document.
    counts = np.fromiter(map(len, (f.sentences for f in keyed)), dtype=np.int64, count=len(keyed))
    width = int(counts.max())
    rows = np.empty((len(keyed), minhash_keys.shape[1] + width), dtype=np.int64)
    rows[:, :minhash_keys.shape[1]] = minhash_keys
    sentences = rows[:, minhash_keys.shape[1]:]
    sentences[:] = minhash_keys[:, :1]
    sentences[np.arange(width) < counts[:, np.newaxis]] = np.fromiter(
        chain.from_iterable(f.sentences for f in keyed), dtype=np.int64, count=int(counts.sum()))
    rows.sort(axis=1)
    distinct = np.ones(rows.shape, dtype=bool)
    np.not_equal(rows[:, 1:], rows[:, :-1], out=distinct[:, 1:])
    split = iter(np.split(rows[distinct], np.cumsum(distinct.sum(axis=1))[:-1]))
    return [next(split) if f.fingerprint is not None else np.zeros(0, dtype=np.int64) for f in feats]


def features(body: str, title: str = "", *, published_at: datetime | None = None,
             dateline: Dateline | dict | None = None, agencies=()) -> Features:
    """Features of a text (the unwrapped body; the headline joins in only when the body is too short)."""
    return with_context(text_features(body, title), published_at=published_at, dateline=dateline, agencies=agencies)


def text_features(body: str, title: str = "") -> Features:
    """The features that come from the words alone: no time, dateline or agencies."""
    body_lines = text.bare_lines(body)
    words = text.token_lines(body_lines)
    marked, count = text.marked_tokens(words)  # the tokens, and a mark for each line end
    if count < MIN_TOKENS:
        # Headlines differ between outlets, so they only count when there is nothing else.
        marked, count = text.marked_tokens(text.token_lines(text.bare_lines(title)) + "\n" + words)
    if count < MIN_TOKENS:
        return Features(None, np.zeros(0, dtype=np.uint64))
    joined = " ".join(marked)
    plain = text.unmarked(joined)
    dates, numbers = text.marked_facts(marked, plain)
    return Features(fingerprint=text.joined_fingerprint(plain),
                    shingles=text.shingles(text.marked_hashes(marked, numbers)), sentences=text.mark_keys(joined),
                    names=text.line_names(body_lines), dates=dates, numbers=numbers)


def with_context(words: Features, *, published_at: datetime | None = None, dateline: Dateline | dict | None = None,
                 agencies=()) -> Features:
    """Text features with the document's publication time, dateline (date, place) and credited agencies."""
    if isinstance(dateline, Dateline):
        when, place = dateline.date, dateline.place
    elif dateline:
        when, place = dateline.get("date"), dateline.get("place")
    else:
        when = place = None
    return in_context(words, published_at, when, place, agencies)


def in_context(words: Features, published_at: datetime | None, when: date | str | None, place: str | None,
               agencies) -> Features:
    """with_context() of a dateline given as its date (or ISO text) and place."""
    if isinstance(when, str):
        when = date.fromisoformat(when[:10])
    fields = words.__dict__.copy()
    fields["published_at"], fields["dateline_date"] = published_at, when
    fields["dateline_place"] = (place or "").strip().casefold() or None
    fields["agencies"] = frozenset(agencies or ())
    # A band_keys already cached is the same for these features: it depends on the words alone.
    return from_fields(fields)


def from_fields(fields: dict) -> Features:
    """Features holding the given dict of all its fields as they are."""
    # The dataclass's __init__ with ten arguments cost three times as much (dataclasses.replace() inspects the
    # fields on every call, more again).
    made = object.__new__(Features)
    object.__setattr__(made, "__dict__", fields)
    return made


def article_features(article: Article) -> Features:
    """Features of an extracted article: its unwrapped text, falling back to the cleaned item text."""
    return features(article.text or article.item.text, article.title or article.item.title,
                    published_at=article.published_at or article.item.published_at, dateline=article.dateline,
                    agencies=article.agencies)


def conflict(a: Features, b: Features) -> bool:
    """True when two documents state different times, places or figures, however alike their words."""
    if context_conflict(a, b):
        return True
    # A copy that lacks a date the other has is incomplete; each naming a date the other lacks is two days.
    if (a.dates - b.dates) and (b.dates - a.dates):
        return True
    short, long_ = (a, b) if len(a.shingles) <= len(b.shingles) else (b, a)
    missing = len(short.numbers - long_.numbers)
    if missing >= NUMBER_CONFLICTS and missing > 0.5 * len(short.numbers):
        return True
    # A template filled in for another company, team or city: the shorter text names others than the longer.
    missing = len(short.names - long_.names)
    return missing >= NAME_CONFLICTS and missing > 0.3 * len(short.names)


def context_conflict(a: Features, b: Features) -> bool:
    """The part of conflict() told by times and datelines alone, before the words are read."""
    if a.published_at and b.published_at and abs(a.published_at - b.published_at) > MAX_GAP:
        return True
    if a.dateline_date and b.dateline_date and a.dateline_date != b.dateline_date:
        return True
    return bool(a.dateline_place and b.dateline_place and a.dateline_place != b.dateline_place)


def credited(a: Features, b: Features) -> bool:
    """True when both copies credit a common agency and file from the same dateline place."""
    return bool(a.agencies & b.agencies) and a.dateline_place is not None and a.dateline_place == b.dateline_place


def similarity(a: Features, b: Features) -> tuple[float, float]:
    """Exact (Jaccard, containment of the shorter) of two documents' shingle sets."""
    if not len(a.shingles) or not len(b.shingles):
        return 0.0, 0.0
    # intersect1d(assume_unique=True)'s count without its quicksort: each set is sorted (text.shingles), and a
    # stable sort (timsort) merges the two runs in one pass. Right for unsorted sets too, only slower.
    both = np.concatenate((a.shingles, b.shingles))
    both.sort(kind="stable")
    inter = int(np.count_nonzero(both[1:] == both[:-1]))
    return inter / (len(a.shingles) + len(b.shingles) - inter), inter / min(len(a.shingles), len(b.shingles))


def match(a: Features, b: Features) -> tuple[str, float] | None:
    """("exact" | "near", score) when the two documents are copies of one story, else None."""
    if a.fingerprint is None or b.fingerprint is None or conflict(a, b):
        return None
    if a.fingerprint == b.fingerprint:
        return "exact", 1.0
    jaccard, containment = similarity(a, b)
    if jaccard >= JACCARD or containment >= CONTAINMENT or (containment >= CREDITED_CONTAINMENT and credited(a, b)):
        return "near", round(max(jaccard, containment), 4)
    return None
