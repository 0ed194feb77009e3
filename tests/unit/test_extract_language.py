"""The vectorised feature walk and the detector built on it answer exactly as py3langid's own code does."""
from __future__ import annotations

import json

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier, visit_counts

from tests.conftest import CORPORA, FIXTURES
from wirefeed.extract.language import SAMPLE_CHARS, _identifier, detect_language
from wirefeed.extract.patterns import NEWS_LANGUAGES
from wirefeed.extract.reader import read_item


def _texts() -> list[str]:
    """Labelled wire items (openings, endings, headlines) and SemEval news in many languages and scripts."""
    texts = ["", "a", "Ünïcödé", "日本語のニュース", "x" * 7]
    for folder in ("items", "held_out"):
        for path in sorted((FIXTURES / "extract" / folder).iterdir()):
            item = read_item(path.read_bytes())
            texts += [item.text[:SAMPLE_CHARS], item.text[-200:], item.title]
    with (CORPORA / "news/semeval2022_task8/pairs_other_langs.jsonl").open() as lines:
        for line, _ in zip(lines, range(300)):
            pair = json.loads(line)
            texts += [pair["text1"][:SAMPLE_CHARS], pair["text2"][:80]]
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _texts()


@pytest.fixture(scope="module")
def reference() -> LanguageIdentifier:
    """py3langid as it ships, restricted to the same languages."""
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(NEWS_LANGUAGES)
    return identifier


def test_feature_counts_match_the_byte_walk(texts, reference):
    states = _identifier().states
    for text in texts:
        data = reference._encode(text)
        expected = visit_counts(reference.tk_nextmove, reference._rowbase, reference.tk_output, data) or {}
        features, counts = states.visits(data)
        assert list(zip(features.tolist(), counts.tolist())) == list(expected.items()), text[:60]


def test_classification_matches_py3langid(texts, reference):
    fast = _identifier()
    for text in texts:
        assert fast.classify(text) == reference.classify(text), text[:60]


def test_detect_language_on_short_and_long_texts():
    assert detect_language("") is None
    assert detect_language("12 34 56 78 90 -- 2025-05-20") is None
    assert detect_language("The minister said on Tuesday that the talks would resume next week in Geneva.") == "en"
    assert detect_language("Der Minister sagte am Dienstag, die Gespräche würden nächste Woche in Genf fortgesetzt.") == "de"
