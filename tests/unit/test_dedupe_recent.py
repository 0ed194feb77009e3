"""Text features kept in memory: served only for the version of the item they came from, and bounded."""
import gc

import numpy as np

from wirefeed.dedupe.match import Features, match, text_features
from wirefeed.dedupe.recent import RecentFeatures

STORY = ("Israeli Defence Minister Israel Katz hosted his Azerbaijani counterpart in Tel Aviv on Monday. "
         "Katz hailed the alliance as a deep and strategic relationship, citing Azerbaijan's support.")


def same(served: Features | None, words: Features) -> bool:
    """True when the served features say what the kept ones said."""
    return (served is not None and served.fingerprint == words.fingerprint
            and np.array_equal(served.shingles, words.shingles) and served.sentences == words.sentences
            and served.dates == words.dates and served.numbers == words.numbers and served.names == words.names
            and served.published_at is None and served.agencies == frozenset())


def test_features_are_served_for_the_same_version_and_database_only():
    recent = RecentFeatures()
    words = text_features(STORY)
    recent.put("db1", 7, "hash-a", words)
    assert same(recent.get("db1", 7, "hash-a"), words)
    assert recent.get("db1", 7, "hash-b") is None  # the item was edited since
    assert recent.get("db2", 7, "hash-a") is None  # another database's item 7


def test_the_oldest_are_forgotten_beyond_the_limit():
    recent = RecentFeatures(limit=2)
    words = text_features(STORY)
    for item_id in (1, 2, 3):
        recent.put("db", item_id, "h", words)
    assert recent.get("db", 1, "h") is None
    assert same(recent.get("db", 2, "h"), words) and same(recent.get("db", 3, "h"), words)


def test_bodies_are_served_for_the_same_words_only_and_bounded():
    recent = RecentFeatures(limit=2)
    words = text_features(STORY)
    recent.put_body(STORY, words)
    assert same(recent.of_body("".join([STORY[:40], STORY[40:]])), words)  # equal text, another string object
    assert recent.of_body(STORY + " ") is None and recent.of_body(STORY.replace("Monday", "Sunday")) is None
    recent.put_body("a", words)
    recent.put_body("b", words)
    assert recent.of_body(STORY) is None and same(recent.of_body("b"), words)


def test_served_features_match_as_the_kept_ones_and_the_cache_is_not_walked_by_the_collector():
    recent = RecentFeatures()
    words = text_features(STORY)
    recent.put("db", 1, "h", words)
    recent.put_body(STORY, words)
    assert match(recent.get("db", 1, "h"), words) == ("exact", 1.0)
    for _ in range(3):  # a tuple is untracked once what it holds was: one nesting level a collection
        gc.collect()
    assert not any(gc.is_tracked(value) for table in (recent._features, recent._bodies) for value in table.values())
