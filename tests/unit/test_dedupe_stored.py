"""Text features stored with a fingerprint read back equal to the ones computed from the text."""
import json

import numpy as np
import pytest

from bench.bench_extract import generated_items
from wirefeed.commands.dedupe import read_articles
from wirefeed.dedupe import stored
from wirefeed.dedupe.match import Features, text_features

from tests.conftest import FIXTURES

LABELLED = FIXTURES / "dedupe"


def assert_same_words(read: Features, computed: Features) -> None:
    """Every text feature equal, the shingles of the same dtype (a dataclass == cannot compare arrays)."""
    assert read.fingerprint == computed.fingerprint
    assert read.shingles.dtype == computed.shingles.dtype == np.uint64
    assert np.array_equal(read.shingles, computed.shingles)
    assert read.sentences == computed.sentences and all(type(k) is int for k in read.sentences)
    assert (read.dates, read.numbers, read.names) == (computed.dates, computed.numbers, computed.names)


def round_trip(words: Features) -> Features:
    """The features through encode() and decode(), via a memoryview of format 'c' as psycopg2 returns a bytea."""
    return stored.decode(memoryview(stored.encode(words)).cast("c"), words.fingerprint)


def texts():
    """(body, title) of the labelled documents and of generated benchmark items."""
    for name in sorted(json.loads((LABELLED / "labels.json").read_text())):
        (article,) = read_articles(str(LABELLED / name))
        yield article.text or article.item.text, article.title or article.item.title
    for item in generated_items(feeds=2):
        yield item.text, item.title


def test_labelled_and_bench_texts_read_back_equal():
    checked = 0
    for body, title in texts():
        computed = text_features(body, title)
        assert_same_words(round_trip(computed), computed)
        checked += 1
    assert checked > 100


@pytest.mark.parametrize("body", [
    "Too short to tell.",
    "Le président Müller a déclaré à Zürich, le 3 mars, que 1.250 emplois «seront créés» d'ici 2027. "
    "Les syndicats de Genève saluent l'accord signé lundi avec la direction de l'entreprise.",
    'Quotes "and\\backslashes\\" with\ttabs and new\nlines stay exactly as they were in the text of the story told.',
])
def test_short_non_ascii_and_escaped_texts_read_back_equal(body):
    computed = text_features(body)
    assert_same_words(round_trip(computed), computed)


def test_an_unknown_layout_reads_as_missing():
    blob = bytearray(stored.encode(text_features("One two three four five six seven eight nine ten eleven twelve.")))
    blob[0] = 99
    assert stored.decode(bytes(blob), "fp") is None
    assert stored.decode(b"", None) is None


def test_rows_stored_in_layout_1_still_read_back_equal():
    for body, title in list(texts())[:40]:
        computed = text_features(body, title)
        assert_same_words(stored.decode(memoryview(stored._encode_json(computed)), computed.fingerprint), computed)


@pytest.mark.parametrize("names", [frozenset({"a\x1fb", "c"}), frozenset({"x\x1ey"}), frozenset({""})])
def test_values_holding_a_separator_fall_back_to_layout_1(names):
    computed = text_features("One two three four five six seven eight nine ten eleven twelve.")
    words = Features(computed.fingerprint, computed.shingles, sentences=computed.sentences, names=names,
                     dates=frozenset({"may 20"}), numbers=frozenset({"1.5"}))
    blob = stored.encode(words)
    assert blob[0] == 1
    assert_same_words(stored.decode(memoryview(blob), words.fingerprint), words)
