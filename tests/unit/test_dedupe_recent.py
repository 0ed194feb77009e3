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
