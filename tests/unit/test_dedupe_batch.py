"""Batched feature steps give exactly what the per-document ones give."""
import dataclasses
from datetime import datetime

import numpy as np

from wirefeed.dedupe import minhash
from wirefeed.dedupe.match import batch_index_keys, features, text_features, with_context

STORY = ("Israeli Defence Minister Israel Katz hosted his Azerbaijani counterpart in Tel Aviv on Monday. "
         "Katz hailed the alliance as a deep and strategic relationship, citing Azerbaijan's support. "
         "Azerbaijan shares a 428-mile border with Iran and supplies 1,234.5 barrels of oil.")


def test_batch_index_keys_equal_each_documents_own(monkeypatch):
    docs = [features(STORY), features("too short"), features(STORY.replace("Monday", "Tuesday")),
            features(STORY + " More words follow in an update of the story."), features("")]
    monkeypatch.setattr(minhash, "_CHUNK_SHINGLES", 7)  # documents spread over several chunks
    for doc, keys in zip(docs, batch_index_keys(docs), strict=True):
        assert keys.dtype == np.int64 and np.array_equal(keys, np.unique(doc.band_keys))


def test_with_context_keeps_every_text_feature():
    words = text_features(STORY)
    placed = with_context(words, published_at=datetime(2024, 1, 2), dateline={"place": " Baku ", "date": "2024-01-02"},
                          agencies=["AP"])
    context = {"published_at", "dateline_date", "dateline_place", "agencies"}
    for field in dataclasses.fields(words):
        if field.name not in context:
            assert getattr(placed, field.name) is getattr(words, field.name), field.name
    assert (placed.dateline_place, placed.agencies) == ("baku", frozenset({"AP"}))
