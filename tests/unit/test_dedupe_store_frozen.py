"""dedupe's Python parts rewritten for speed give what frozen copies of the code they replaced gave, byte for byte.

The COPY text of story_items and item_fingerprints, the stored features and the array literals are what the
database keeps: a row written differently would be another row. Each reference below is the old code, copied
verbatim with its name prefixed by ref_. Frozen: do not fix or speed it up.
"""
from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import date, datetime, timezone

import numpy as np
import pytest

from bench.bench_extract import generated_items
from tests.conftest import FIXTURES
from wirefeed.commands.dedupe import read_articles
from wirefeed.dedupe import minhash, store, stored
from wirefeed.dedupe.cluster import MAX_BUCKET
from wirefeed.dedupe.match import Features, in_context, similarity, text_features, with_context
from wirefeed.dedupe.text import unique_sorted
from wirefeed.models import Dateline

# ---------------------------------------------------------------------------------------------------------------
# The reference: store's COPY writers and stored.encode as of commit 9d1f04d.
# ---------------------------------------------------------------------------------------------------------------


def ref_copy_data(rows: list[tuple]) -> bytes:
    """The bytes store._copy sent for the rows."""
    data = "".join("\t".join(map(ref_copy_field, row)) + "\n" for row in rows)
    return data.encode("utf-8")


def ref_copy_field(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return str(value)


def ref_bytea(value: bytes) -> str:
    """A bytea value in PostgreSQL's hex input format (_copy_field escapes its backslash)."""
    return "\\x" + value.hex()


def ref_array(values: list[int]) -> str:
    """A PostgreSQL array literal of integers."""
    return "{" + ",".join(map(str, values)) + "}"


def ref_encode(words: Features) -> bytes:
    """The text features (all but the fingerprint, which has its own column) as bytes."""
    groups = (words.dates, words.numbers, words.names)
    tail = stored._RECORD.join(stored._UNIT.join(sorted(values)) for values in groups)
    separators = sum(len(values) - 1 for values in groups if values)
    if (tail.count(stored._RECORD) != 2 or tail.count(stored._UNIT) != separators
            or any("" in values for values in groups)):
        return stored._encode_json(words)
    shingles = words.shingles.astype(stored._SHINGLE, copy=False).tobytes()
    sentences = np.array(words.sentences, dtype=stored._SENTENCE).tobytes()
    return b"".join((stored._HEADER.pack(stored._VERSION, len(words.shingles), len(words.sentences)), shingles,
                     sentences, tail.encode("utf-8")))


def ref_story_rows(ids, placed, versions) -> bytes:
    """assign_stories' story_items COPY data."""
    return ref_copy_data([(i, *placed[i], versions[i][1]) for i in ids])


def ref_fingerprint_rows(ids, new, versions, keys_of) -> bytes:
    """assign_stories' item_fingerprints COPY data."""
    return ref_copy_data([(i, *versions[i], new[i].fingerprint, ref_array(keys_of[i].tolist() if i in keys_of else []),
                           ref_bytea(ref_encode(new[i]))) for i in ids])


def ref_key_buckets(lookup, keys_of: dict[int, np.ndarray]) -> dict[int, set[int]]:
    """Buckets (LSH key -> item ids) of two or more items: the given new ones and the indexed ones they meet."""
    buckets = defaultdict(set)
    if not keys_of:
        return buckets
    flat = np.concatenate(list(keys_of.values()))
    owners = np.repeat(np.fromiter(keys_of, dtype=np.int64, count=len(keys_of)), [len(k) for k in keys_of.values()])
    order = np.argsort(flat, kind="stable")
    flat, owners = flat[order], owners[order]
    keys, starts, counts = np.unique(flat, return_index=True, return_counts=True)
    shared = set(np.flatnonzero(counts > 1).tolist())
    key_list, start_list, count_list, owner_list = keys.tolist(), starts.tolist(), counts.tolist(), owners.tolist()
    found = lookup(None, key_list)
    for key, item_id in found:
        buckets[key].add(item_id)
    if found:
        shared.update(np.searchsorted(keys, [key for key, _ in found]).tolist())
    for at in shared:
        buckets[key_list[at]].update(owner_list[start_list[at]:start_list[at] + count_list[at]])
    return buckets


def ref_pairs_with_new(groups, new) -> list[tuple[int, int]]:
    """bucket_pairs() of every group that involve a new item, each pair once, sorted."""
    earlier, later = [], []
    for members in groups:
        ordered = np.array(sorted(members), dtype=np.int64)
        for gap in range(1, min(MAX_BUCKET, len(ordered) - 1) + 1):
            earlier.append(ordered[:-gap])
            later.append(ordered[gap:])
    if not earlier:
        return []
    first, second = np.concatenate(earlier), np.concatenate(later)
    new_ids = np.fromiter(new, dtype=np.int64, count=len(new))
    keep = np.isin(first, new_ids) | np.isin(second, new_ids)
    first, second = first[keep], second[keep]
    order = np.lexsort((second, first))
    first, second = first[order], second[order]
    distinct = np.ones(len(first), dtype=bool)
    distinct[1:] = (first[1:] != first[:-1]) | (second[1:] != second[:-1])
    return list(zip(first[distinct].tolist(), second[distinct].tolist()))


def ref_with_context(words: Features, *, published_at=None, dateline=None, agencies=()) -> Features:
    """Text features with the document's publication time, dateline (date, place) and credited agencies."""
    if isinstance(dateline, Dateline):
        dateline = {"place": dateline.place, "date": dateline.date}
    dateline = dateline or {}
    when = dateline.get("date")
    if isinstance(when, str):
        when = date.fromisoformat(when[:10])
    place = (dateline.get("place") or "").strip().casefold() or None
    return Features(words.fingerprint, words.shingles, sentences=words.sentences, dates=words.dates,
                    numbers=words.numbers, published_at=published_at, dateline_date=when, dateline_place=place,
                    agencies=frozenset(agencies or ()), names=words.names)


def ref_similarity(a: Features, b: Features) -> tuple[float, float]:
    """Exact (Jaccard, containment of the shorter) of two documents' shingle sets."""
    if not len(a.shingles) or not len(b.shingles):
        return 0.0, 0.0
    inter = len(np.intersect1d(a.shingles, b.shingles, assume_unique=True))
    return inter / (len(a.shingles) + len(b.shingles) - inter), inter / min(len(a.shingles), len(b.shingles))


def ref_batch_keys(sets: list[np.ndarray], banding: minhash.Banding = minhash.FULL) -> list[np.ndarray]:
    """keys() of each of many shingle sets, computed together (the same values, a fraction of the calls)."""
    result = [None] * len(sets)
    filled = [at for at, s in enumerate(sets) if len(s)]
    if filled:
        keys_matrix = minhash._batch_band_keys(minhash._batch_signatures([sets[at] for at in filled], banding), banding)
        for row, at in enumerate(filled):
            result[at] = keys_matrix[row]
    for at, s in enumerate(sets):
        if not len(s):
            result[at] = minhash.keys(s, banding)
    return result


def ref_batch_band_keys(feats: list[Features]) -> list[np.ndarray]:
    """Features.band_keys of many documents, their MinHash signatures computed together."""
    keyed = [f for f in feats if f.fingerprint is not None]
    minhash_keys = iter(ref_batch_keys([f.shingles for f in keyed]))
    return [np.concatenate([next(minhash_keys), np.array(f.sentences, dtype=np.int64)])
            if f.fingerprint is not None else np.zeros(0, dtype=np.int64) for f in feats]


def ref_index_keys(new: dict[int, Features]) -> dict[int, np.ndarray]:
    """Each new item's distinct LSH keys, sorted (items too short to tell have none)."""
    keyed = {item_id: f for item_id, f in new.items() if f.fingerprint is not None}
    return {item_id: unique_sorted(keys) for item_id, keys in zip(keyed, ref_batch_band_keys(list(keyed.values())))}


def ref_bucket_pairs(buckets: dict, new) -> list[tuple[int, int]]:
    """_verified_edges' candidate pairs of a dict of buckets."""
    return ref_pairs_with_new({frozenset(members) for members in buckets.values() if len(members) > 1}, new)


# ---------------------------------------------------------------------------------------------------------------

LABELLED = FIXTURES / "dedupe"
ODD_VALUES = ["", "a\x1fb", "c\x1ed", "tab\there", "back\\slash", "new\nline", "ünï", "2025-06-29", "3.5"]


def documents() -> list[Features]:
    """Text features of the labelled documents, generated bench items and short texts."""
    texts = []
    for name in sorted(json.loads((LABELLED / "labels.json").read_text())):
        (article,) = read_articles(str(LABELLED / name))
        texts.append((article.text or article.item.text, article.title or article.item.title))
    texts += [(item.text, item.title) for item in generated_items(feeds=2)]
    texts += [("Too short to tell.", ""), ("", "")]
    return [text_features(body, title) for body, title in texts]


def odd(words: Features, rng: random.Random) -> Features:
    """The features with odd values (separators, an empty value, escapes, non-ASCII) among their facts."""
    pick = lambda: frozenset(rng.sample(ODD_VALUES, rng.randint(0, 3)))  # noqa: E731
    return Features(words.fingerprint, words.shingles, sentences=words.sentences, dates=words.dates | pick(),
                    numbers=words.numbers | pick(), names=words.names | pick())


@pytest.fixture(scope="module")
def docs() -> list[Features]:
    """documents(), computed once."""
    return documents()


@pytest.fixture(scope="module")
def batch(docs):
    """A batch as assign_stories writes it: features, versions, keys and placements, odd values among them."""
    rng = random.Random(5)
    feats = list(docs)
    feats += [odd(words, rng) for words in feats[::3]]
    ids = sorted(rng.sample(range(1, 10**7), len(feats)))
    new = dict(zip(ids, feats))
    keys_of = store._index_keys(new)
    for item_id in ids[::7]:
        keys_of.pop(item_id, None)  # no keys (the features too short to tell have none anyway)
    hashes = ["%032x" % rng.getrandbits(128) for _ in ids] + ["a\tb\\c\nd\re", None]
    versions = {i: (hashes[at % len(hashes)], rng.choice([0, 1, 4_000, 123_456])) for at, i in enumerate(ids)}
    placed = {i: rng.choice([(rng.randint(1, 10**6), "first", None), (rng.randint(1, 10**6), "exact", 1.0),
                             (rng.randint(1, 10**6), "near", round(rng.random(), 4)),
                             (rng.randint(1, 10**6), "near", 0.5)]) for i in ids}
    return ids, new, versions, keys_of, placed


def test_story_items_rows(batch):
    ids, _, versions, _, placed = batch
    assert store._story_rows(ids, placed, versions) == ref_story_rows(ids, placed, versions)


def test_item_fingerprints_rows(batch):
    ids, new, versions, keys_of, _ = batch
    assert store._fingerprint_rows(ids, new, versions, keys_of) == ref_fingerprint_rows(ids, new, versions, keys_of)


def test_stored_features(batch):
    _, new, _, _, _ = batch
    layouts = set()
    for words in new.values():
        blob = stored.encode(words)
        assert blob == ref_encode(words)
        layouts.add(blob[0])
    assert layouts == {stored._VERSION, stored._JSON_VERSION}


@pytest.mark.parametrize("values", [[], [0], [-1, 1], [2**63 - 1, -2**63, 10, -10], list(range(-500, 500, 7))])
def test_array_literals(values):
    assert store._array(values) == ref_array(values)


def test_array_literals_of_keys(batch):
    _, _, _, keys_of, _ = batch
    for keys in keys_of.values():
        assert store._array(keys.tolist()) == ref_array(keys.tolist())


def key_batch(seed: int, items: int, pool: int):
    """New items' keys drawn from a pool (wire copies share most of theirs) and an index answering for some keys:
    up to MAX_BUCKET older items a key, a row repeated, a new item among them, buckets past MAX_BUCKET."""
    rng = random.Random(seed)
    ids = rng.sample(range(5_000, 6_000), items)
    keys_pool = [rng.randint(-2**63, 2**63 - 1) for _ in range(pool)]
    keys_of = {}
    for item_id in ids:
        if rng.random() < 0.2:  # a copy: most of an earlier item's keys
            base = keys_of[rng.choice(list(keys_of))] if keys_of else np.zeros(0, dtype=np.int64)
            keys = [k for k in base.tolist() if rng.random() < 0.8] + rng.sample(keys_pool, min(4, pool))
        else:
            keys = rng.sample(keys_pool, rng.randint(1, min(36, pool)))
        keys_of[item_id] = np.unique(np.array(keys, dtype=np.int64))
    indexed = sorted(set(range(1, 10_000)) - set(ids))
    found = []
    for key in sorted(set(np.concatenate(list(keys_of.values())).tolist())):
        if rng.random() < 0.3:
            members = rng.sample(indexed, rng.randint(1, MAX_BUCKET))  # older and newer ids than the new items
            if rng.random() < 0.05:
                members.append(members[0])  # a row twice
            if rng.random() < 0.05:
                members.append(rng.choice(ids))  # a new item's stale row
            found += [(key, m) for m in members]
    new = dict.fromkeys(ids + rng.sample(range(6_000, 7_000), 5))  # new items without keys too
    return keys_of, found, new


@pytest.mark.parametrize("seed, items, pool", [(1, 300, 3_000), (2, 300, 300), (3, 60, 40), (4, 2, 10), (5, 1, 5)])
def test_key_pairs(seed, items, pool):
    keys_of, found, new = key_batch(seed, items, pool)
    asked = []

    def lookup(cur, keys):
        asked.append(list(keys))
        return found

    expected = ref_bucket_pairs(ref_key_buckets(lookup, keys_of), new)
    store_lookup, store.lookup = store.lookup, lookup
    try:
        assert store._key_pairs(None, keys_of, new) == expected
    finally:
        store.lookup = store_lookup
    assert asked[0] == asked[1]  # the same keys looked up
    assert items < 10 or len(expected) > 100


def test_key_pairs_of_no_items():
    assert store._key_pairs(None, {}, {}) == []


@pytest.mark.parametrize("seed", range(4))
def test_fingerprint_pairs(seed, monkeypatch):
    rng = random.Random(seed)
    new = dict.fromkeys(rng.sample(range(500, 1_000), 200))
    buckets = defaultdict(set)
    for item_id in new:
        buckets[f"{rng.randint(0, 60):x}"].add(item_id)
    for fingerprint in list(buckets)[::2]:
        buckets[fingerprint].update(rng.sample(range(1, 500), rng.randint(0, MAX_BUCKET)))
    monkeypatch.setattr(store, "_fingerprint_buckets", lambda cur, new: buckets)
    assert store._fingerprint_pairs(None, new) == ref_bucket_pairs(buckets, new)


CONTEXTS = [
    {},
    {"published_at": datetime(2025, 6, 29, 16, 44, tzinfo=timezone.utc)},
    {"dateline": {"date": "2025-06-29", "place": "Mumbai"}, "agencies": ["IANS"]},
    {"dateline": {"date": "2025-06-29T10:00:00+05:30", "place": "  São Paulo "}, "agencies": ("AP", "Reuters")},
    {"dateline": {"date": date(2024, 1, 2), "place": "BAKU"}, "agencies": None},
    {"dateline": {"date": None, "place": ""}, "agencies": []},
    {"dateline": {"place": None}},
    {"dateline": {}},
    {"dateline": None},
    {"dateline": Dateline(raw="STRASSE, Feb 29", place=" Straße ", date=date(2024, 2, 29))},
    {"dateline": Dateline(raw="")},
]


@pytest.mark.parametrize("context", CONTEXTS)
def test_with_context(context, docs):
    for words in docs[:5] + docs[-2:]:
        expected = ref_with_context(words, **context)
        got = with_context(words, **context)
        assert got == expected  # every field but the shingles (an array), which are the words' own
        assert got.shingles is words.shingles is expected.shingles
        assert type(got.dateline_date) is type(expected.dateline_date)
        assert repr(got) == repr(expected)
        dateline = context.get("dateline") or {}
        if isinstance(dateline, dict):  # as store passes the columns
            got = in_context(words, context.get("published_at"), dateline.get("date"), dateline.get("place"),
                             context.get("agencies"))
            assert got == expected and repr(got) == repr(expected)


def test_with_context_keeps_the_words_apart(docs):
    words = docs[0]
    keys = words.band_keys  # cached in the words' fields
    placed = with_context(words, published_at=datetime(2024, 1, 2), agencies=["AP"])
    assert words.published_at is None and words.agencies == frozenset()
    assert placed.agencies == frozenset({"AP"}) and np.array_equal(placed.band_keys, keys)


def test_similarity(docs):
    rng = random.Random(3)
    pairs = [(a, b) for at, a in enumerate(docs) for b in docs[at:at + 40]]  # bench items near their copies
    shuffled = []
    for a, b in rng.sample(pairs, 200):  # unsorted sets: slower, still right
        order = np.arange(len(a.shingles))
        rng.shuffle(order)
        shuffled.append((Features(a.fingerprint, a.shingles[order]), b))
    near = 0
    for a, b in pairs + shuffled:
        got = similarity(a, b)
        assert got == ref_similarity(a, b) and all(type(x) is float for x in got)
        near += 0.5 <= got[0] < 1
    assert near > 20


def assert_same_keys(got: dict, expected: dict) -> None:
    """Equal dicts of key arrays: the same items, keys and dtype."""
    assert list(got) == list(expected)
    for item_id, keys in expected.items():
        assert got[item_id].dtype == keys.dtype == np.int64 and np.array_equal(got[item_id], keys)


def test_index_keys(docs):
    rng = random.Random(7)
    feats = list(docs)
    feats += [with_context(words, agencies=["AP"]) for words in feats[::5]]  # exact copies: the same arrays
    feats += [Features(words.fingerprint, words.shingles.copy(), sentences=words.sentences) for words in feats[::7]]
    feats += [Features(words.fingerprint, words.shingles) for words in feats[1::9]]  # no sentence keys
    feats += [Features("f", np.zeros(0, dtype=np.uint64), sentences=(5, 5, -3))]  # no shingles
    rng.shuffle(feats)
    new = {item_id: words for item_id, words in zip(rng.sample(range(10**6), len(feats)), feats)}
    assert_same_keys(store._index_keys(new), ref_index_keys(new))
    few = {1: feats[0], 2: feats[1], 3: feats[0]}
    assert_same_keys(store._index_keys(few), ref_index_keys(few))
    short = {item_id: words for item_id, words in new.items() if words.fingerprint is None}
    assert short and store._index_keys(short) == {} == ref_index_keys(short)
    no_sentences = {item_id: Features(w.fingerprint, w.shingles) for item_id, w in list(new.items())[:30]}
    assert_same_keys(store._index_keys(no_sentences), ref_index_keys(no_sentences))


def test_batch_keys(docs):
    sets = [words.shingles for words in docs] + [np.zeros(0, dtype=np.uint64), docs[3].shingles]
    for got, expected in zip(minhash.batch_key_matrix(sets), ref_batch_keys(sets), strict=True):
        assert got.dtype == expected.dtype and np.array_equal(got, expected)
