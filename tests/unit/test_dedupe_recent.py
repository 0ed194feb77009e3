"""Text features kept in memory: served only for the version of the item they came from, and bounded."""
from wirefeed.dedupe.match import text_features
from wirefeed.dedupe.recent import RecentFeatures

STORY = ("Israeli Defence Minister Israel Katz hosted his Azerbaijani counterpart in Tel Aviv on Monday. "
         "Katz hailed the alliance as a deep and strategic relationship, citing Azerbaijan's support.")


def test_features_are_served_for_the_same_version_and_database_only():
    recent = RecentFeatures()
    words = text_features(STORY)
    recent.put("db1", 7, "hash-a", words)
    assert recent.get("db1", 7, "hash-a") is words
    assert recent.get("db1", 7, "hash-b") is None  # the item was edited since
    assert recent.get("db2", 7, "hash-a") is None  # another database's item 7


def test_the_oldest_are_forgotten_beyond_the_limit():
    recent = RecentFeatures(limit=2)
    words = text_features(STORY)
    for item_id in (1, 2, 3):
        recent.put("db", item_id, "h", words)
    assert recent.get("db", 1, "h") is None
    assert recent.get("db", 2, "h") is words and recent.get("db", 3, "h") is words


def test_bodies_are_served_for_the_same_words_only_and_bounded():
    recent = RecentFeatures(limit=2)
    words = text_features(STORY)
    recent.put_body(STORY, words)
    assert recent.of_body("".join([STORY[:40], STORY[40:]])) is words  # equal text, another string object
    assert recent.of_body(STORY + " ") is None and recent.of_body(STORY.replace("Monday", "Sunday")) is None
    recent.put_body("a", words)
    recent.put_body("b", words)
    assert recent.of_body(STORY) is None and recent.of_body("b") is words
