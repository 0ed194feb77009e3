"""The language walk's shortcuts (padded walks, the shallower ASCII walk, sort-free visit counting, the log1p
table) answer exactly as py3langid's own byte-by-byte code, on the benchmark's generated copy and on texts
long or odd enough to reach every branch."""
from __future__ import annotations

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier, visit_counts

from bench import corpus
from wirefeed.clean import clean_item
from wirefeed.extract.language import SAMPLE_CHARS, _identifier
from wirefeed.extract.patterns import NEWS_LANGUAGES
from wirefeed.parse import parse


def _generated() -> list[str]:
    """Openings, endings and headlines of generated wire copies, originals and look-alikes."""
    spec = corpus.Spec(feeds=4)
    texts = []
    for feed in range(spec.feeds):
        for item in parse(corpus.render(spec, feed, corpus.entries(spec, feed))).items:
            item = clean_item(item)
            texts += [item.text[:SAMPLE_CHARS], item.text[-300:], item.title]
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    generated = _generated()
    long_ascii = " ".join(generated)[:12_000]  # longer than the first scratch tables: they grow
    long_mixed = "Der Minister sagte, die Gespräche würden fortgesetzt. नई दिल्ली में बैठक हुई। " * 60
    return generated + [long_ascii, long_mixed, "", "a", "ab", "abcde", "é", "日本", "x" * 5000, "THE MINISTER SAID"]


@pytest.fixture(scope="module")
def reference() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(NEWS_LANGUAGES)
    return identifier


def test_walk_depths_are_those_of_the_shipped_model():
    states = _identifier().states
    assert (states.depth, states.ascii_depth) == (6, 5)


def test_visits_match_the_byte_walk(texts, reference):
    states = _identifier().states
    extra = [b"abc\xff\xfe def", b"\xff" * 9, bytes(range(256)), "Grüße aus Köln".encode()]
    for data in [reference._encode(text) for text in texts] + extra:
        expected = visit_counts(reference.tk_nextmove, reference._rowbase, reference.tk_output, data) or {}
        features, counts = states.visits(data)
        assert list(zip(features.tolist(), counts.tolist())) == list(expected.items()), data[:60]


def test_classification_matches_py3langid(texts, reference):
    fast = _identifier()
    for text in texts + [b"abc\xff\xfe def ghi jkl mno", "Grüße aus Köln".encode()]:
        assert fast.classify(text) == reference.classify(text), text[:60]
