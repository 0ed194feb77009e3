"""Dedupe in PostgreSQL: aliases, versions, stories built incrementally, order-independent and re-runnable."""
import dataclasses
import json
import random
from datetime import datetime, timedelta, timezone

import pytest

from wirefeed import load
from wirefeed.commands.dedupe import read_articles
from wirefeed.dedupe import store, stored
from wirefeed.dedupe.cluster import MAX_BUCKET
from wirefeed.dedupe.match import text_features
from wirefeed.dedupe.recent import RecentFeatures
from wirefeed.dedupe.store import assign_stories
from wirefeed.models import Article, Feed, Item

from tests.conftest import FIXTURES, count
from tests.unit.test_dedupe_stored import assert_same_words

LABELLED = FIXTURES / "dedupe"
LABELS = json.loads((LABELLED / "labels.json").read_text())
DEDUPE_TABLES = "story_items, stories, item_fingerprints, item_bands"


def _outlet(name: str) -> str:
    """The outlet a fixture file stands for: the second part of its name (a1_tribune_... -> tribune)."""
    return name.split("_")[1]


def load_fixtures(conn) -> dict[int, str]:
    """Load every labelled document into the feed of its outlet; return {item id: file name}."""
    names = sorted(LABELS)
    outlets = sorted({_outlet(n) for n in names})
    feed_ids = load.upsert_feeds(conn, [Feed(url=f"https://{o}.example/rss", name=o, outlet=o.upper())
                                        for o in outlets])
    by_id = {}
    for name in names:
        (article,) = read_articles(str(LABELLED / name))
        article = dataclasses.replace(article, item=dataclasses.replace(article.item, guid=name))
        _, ids = load.load_articles(conn, feed_ids[f"https://{_outlet(name)}.example/rss"], None, [article])
        by_id[ids[0]] = name
    return by_id


def partition(conn, names: dict[int, str]) -> set[frozenset]:
    """The stories as sets of file names."""
    with conn.cursor() as cur:
        cur.execute("SELECT story_id, array_agg(item_id) FROM story_items GROUP BY story_id")
        rows = cur.fetchall()
    conn.commit()
    return {frozenset(names[i] for i in items) for _, items in rows}


def truth() -> set[frozenset]:
    """The labelled clusters as sets of file names."""
    clusters = {}
    for name, label in LABELS.items():
        clusters.setdefault(label, set()).add(name)
    return {frozenset(c) for c in clusters.values()}


def wipe(conn) -> None:
    """Forget every story, fingerprint and band (the items stay)."""
    with conn.cursor() as cur:
        cur.execute(f"TRUNCATE {DEDUPE_TABLES}")
    conn.commit()


def test_stories_match_labels_in_any_arrival_order(conn):
    names = load_fixtures(conn)
    ids = sorted(names)
    seen = []
    for order, batch in (("shuffled one by one", 1), ("reversed in fives", 5), ("all at once", len(ids))):
        if order.startswith("shuffled"):
            ids = random.Random(7).sample(ids, len(ids))
        elif order.startswith("reversed"):
            ids = sorted(ids, reverse=True)
        wipe(conn)
        for start in range(0, len(ids), batch):
            assign_stories(conn, ids[start:start + batch])
        seen.append(partition(conn, names))
    assert seen[0] == seen[1] == seen[2] == truth()
    assert count(conn, "SELECT count(*) FROM stories") == len(truth())
    assert count(conn, "SELECT sum(item_count) FROM stories") == len(names)


def test_rerun_adds_nothing(conn):
    names = load_fixtures(conn)
    first = assign_stories(conn, sorted(names))
    assert first["items"] == len(names) and first["new_stories"] == len(truth())
    assert first["joined"] == len(names) - len(truth())
    tables = ("stories", "story_items", "item_fingerprints", "item_bands")
    before = {t: count(conn, f"SELECT count(*) FROM {t}") for t in tables}
    again = assign_stories(conn, sorted(names))
    assert again == {"items": 0, "new_stories": 0, "joined": 0, "exact_duplicates": 0}
    assert {t: count(conn, f"SELECT count(*) FROM {t}") for t in tables} == before


def test_lost_key_index_is_rebuilt_before_it_is_searched(conn):
    names = load_fixtures(conn)
    ids = {name: i for i, name in names.items()}
    # A near copy (not an exact one, which its fingerprint would find): only the key index links it to its story.
    held = ids["b3_pti_andheri_fire_update.txt"]
    assign_stories(conn, [i for i in sorted(names) if i != held])
    with conn.cursor() as cur:
        cur.execute("SELECT count(*), sum(key # item_id) FROM item_bands")
        indexed = cur.fetchone()
    conn.commit()
    assert count(conn, "SELECT relpersistence FROM pg_class WHERE relname = 'item_bands'") == "u"
    with conn.cursor() as cur:
        cur.execute("TRUNCATE item_bands")  # what crash recovery leaves of an unlogged table
    conn.commit()
    assign_stories(conn, [held])
    assert partition(conn, names) == truth()
    with conn.cursor() as cur:
        cur.execute("SELECT count(*), sum(key # item_id) FROM item_bands WHERE item_id <> %s", (held,))
        assert cur.fetchone() == indexed
        cur.execute("SELECT count(*) > 0 FROM item_bands WHERE item_id = %s", (held,))
        assert cur.fetchone()[0]
    conn.commit()


def test_story_row_credits_agency_dateline_outlets_and_canonical_copy(conn):
    names = load_fixtures(conn)
    ids = {name: i for i, name in names.items()}
    assign_stories(conn, sorted(names))
    with conn.cursor() as cur:
        cur.execute("""SELECT s.canonical_item_id, s.agencies, s.dateline ->> 'place', s.outlets, s.item_count,
                              s.first_published_at
                         FROM stories s JOIN story_items si ON si.story_id = s.id WHERE si.item_id = %s""",
                    (ids["b1_pti_andheri_fire.txt"],))
        canonical, agencies, place, outlets, item_count, first_published = cur.fetchone()
    conn.commit()
    # All three copies carry the same date: the agency's own copies win the tie, and the fuller one of them.
    assert canonical == ids["b3_pti_andheri_fire_update.txt"]
    assert agencies == ["PTI"] and place == "Mumbai" and item_count == 3
    assert outlets == ["PTI", "TRIBUNE"]
    assert first_published == datetime(2025, 3, 14, tzinfo=timezone.utc)


def test_earliest_publication_is_canonical(conn):
    names = load_fixtures(conn)
    ids = {name: i for i, name in names.items()}
    early = ids["a3_latestly_israel_azerbaijan_truncated.txt"]
    with conn.cursor() as cur:
        cur.execute("UPDATE items SET published_at = published_at - interval '2 hours' WHERE id = %s", (early,))
    conn.commit()
    assign_stories(conn, sorted(names))
    assert count(conn, "SELECT count(*) FROM stories WHERE canonical_item_id = %s AND item_count = 4", early) == 1


def _article(guid: str, text: str, *, title: str = "Headline", hours: int = 0) -> Article:
    """A plain article whose unwrapped text is the given text."""
    published = datetime(2025, 6, 1, tzinfo=timezone.utc) + timedelta(hours=hours)
    item = Item(guid=guid, title=title, text=text, html=f"<p>{text}</p>", published_at=published)
    return Article(item=item, title=title, text=text, published_at=published, word_count=len(text.split()))


def _feed(conn, name: str) -> int:
    url = f"https://{name}.example/rss"
    return load.upsert_feeds(conn, [Feed(url=url, name=name)])[url]


PARAGRAPHS = [
    "The city council approved a plan on Monday to convert the old tram depot into a public library "
    "with a rooftop garden and a children's reading room.",
    "Construction is expected to begin next spring and take about two years, the council's planning "
    "committee said in a statement after the vote.",
    "Residents had campaigned for a decade to save the red brick building, which opened in 1911 and "
    "served the city's tram network until the last line closed.",
    "The project will be paid for from the regional heritage fund and a bond issue that voters approved "
    "in a referendum held in the autumn.",
    "Architects plan to keep the original iron roof trusses and the tiled facade while adding a glass "
    "entrance hall facing the river promenade.",
    "Opposition members criticised the timetable, saying the library would compete for funds with the "
    "long-delayed renovation of the central swimming pool.",
]


def test_item_bridging_two_stories_merges_them(conn):
    feed = _feed(conn, "bridge")
    head = _article("head", "\n\n".join(PARAGRAPHS[:3]))
    tail = _article("tail", "\n\n".join(PARAGRAPHS[3:]))
    _, ids = load.load_articles(conn, feed, None, [head, tail])
    first = assign_stories(conn, ids)
    assert first["new_stories"] == 2 and count(conn, "SELECT count(*) FROM stories") == 2
    _, (full,) = load.load_articles(conn, feed, None, [_article("full", "\n\n".join(PARAGRAPHS), hours=1)])
    merged = assign_stories(conn, [full])
    assert merged == {"items": 1, "new_stories": 0, "joined": 1, "exact_duplicates": 0}
    assert count(conn, "SELECT count(*) FROM stories") == 1
    assert count(conn, "SELECT item_count FROM stories") == 3
    assert count(conn, "SELECT canonical_item_id FROM stories") == min(ids)


def test_same_text_in_two_feeds_is_an_exact_duplicate(conn):
    text = "\n\n".join(PARAGRAPHS)
    _, (a,) = load.load_articles(conn, _feed(conn, "one"), None, [_article("x", text, title="Library plan")])
    _, (b,) = load.load_articles(conn, _feed(conn, "two"), None, [_article("y", text, title="Depot saved")])
    assert assign_stories(conn, [a, b]) == {"items": 2, "new_stories": 1, "joined": 1, "exact_duplicates": 1}
    assert count(conn, "SELECT count(*) FROM story_items WHERE match = 'exact' AND item_id = %s", b) == 1


def test_reemitted_item_under_new_guid_or_slug_is_an_alias(conn):
    feed = _feed(conn, "alias")
    text = "\n\n".join(PARAGRAPHS)
    original = _article("guid-1", text)
    counts, (item_id,) = load.load_articles(conn, feed, None, [original])
    renamed = dataclasses.replace(original, item=dataclasses.replace(original.item, guid="guid-2"))
    reslugged = dataclasses.replace(original, item=dataclasses.replace(
        original.item, guid=None, url="https://alias.example/2025/06/library-plan-updated-slug"))
    counts, ids = load.load_articles(conn, feed, None, [renamed, reslugged])
    assert ids == [] and counts.new == 0
    assert count(conn, "SELECT count(*) FROM items") == 1
    with conn.cursor() as cur:
        cur.execute("SELECT item_id, identity FROM item_aliases ORDER BY identity")
        aliases = cur.fetchall()
    conn.commit()
    assert aliases == [(item_id, "guid:guid-2"), (item_id, "url:https://alias.example/2025/06/library-plan-updated-slug")]
    # Seen again: still one alias each, never a new item.
    load.load_articles(conn, feed, None, [renamed])
    assert count(conn, "SELECT count(*) FROM item_aliases") == 2 and count(conn, "SELECT count(*) FROM items") == 1


def test_changed_item_keeps_its_versions(conn):
    feed = _feed(conn, "versions")
    text = "\n\n".join(PARAGRAPHS[:4])
    first = _article("g", text, title="Depot to become library")
    _, (item_id,) = load.load_articles(conn, feed, None, [first])
    assign_stories(conn, [item_id])
    retitled = _article("g", text, title="Council approves library in old tram depot")
    load.load_articles(conn, feed, None, [retitled])
    extended = _article("g", "\n\n".join(PARAGRAPHS), title="Council approves library in old tram depot")
    load.load_articles(conn, feed, None, [extended])
    load.load_articles(conn, feed, None, [extended])  # unchanged: no version
    with conn.cursor() as cur:
        cur.execute("SELECT changed, title FROM item_versions WHERE item_id = %s ORDER BY id", (item_id,))
        versions = cur.fetchall()
    conn.commit()
    assert versions == [(["title"], "Depot to become library"), (["text"], "Council approves library in old tram depot")]
    # The edited item is fingerprinted again and stays in its story.
    again = assign_stories(conn, [item_id])
    assert again["items"] == 1 and again["new_stories"] == 0
    assert count(conn, "SELECT count(*) FROM stories") == 1
    assert assign_stories(conn, [item_id])["items"] == 0


@pytest.mark.parametrize("text", ["", "Too short to tell."])
def test_items_without_enough_text_stand_alone(conn, text):
    feed = _feed(conn, "short")
    _, ids = load.load_articles(conn, feed, None, [_article("a", text, title="Same headline"),
                                                    _article("b", text, title="Same headline", hours=1)])
    counts = assign_stories(conn, ids)
    assert counts["new_stories"] == 2 and count(conn, "SELECT count(*) FROM item_fingerprints WHERE fingerprint IS NULL") == 2


def test_more_copies_than_one_key_window_make_one_story(conn):
    text = "\n\n".join(PARAGRAPHS)
    ids = []
    for n in range(2 * MAX_BUCKET + 5):
        _, new = load.load_articles(conn, _feed(conn, f"outlet{n}"), None,
                                    [_article(f"g{n}", text, title=f"Headline {n}", hours=n % 5)])
        ids.extend(new)
    for start in range(0, len(ids), 7):
        assign_stories(conn, ids[start:start + 7])
    assert count(conn, "SELECT count(*) FROM stories") == 1
    assert count(conn, "SELECT item_count FROM stories") == len(ids)
    assert count(conn, "SELECT count(*) FROM story_items WHERE match = 'exact'") == len(ids) - 1


def test_stored_text_features_equal_the_recomputed_ones(conn):
    names = load_fixtures(conn)
    assign_stories(conn, sorted(names))
    with conn.cursor() as cur:
        cur.execute("""SELECT i.body_text, i.text, i.title, f.fingerprint, f.text_features
                         FROM items i JOIN item_fingerprints f ON f.item_id = i.id""")
        rows = cur.fetchall()
    conn.commit()
    assert len(rows) == len(names)
    for body_text, text_, title, fingerprint, blob in rows:
        assert_same_words(stored.decode(blob, fingerprint), text_features(body_text or text_, title))


def _count_featurising(monkeypatch) -> list:
    """A list that grows by one each time dedupe featurises a text from now on."""
    calls = []
    real = store.text_features

    def counted(body, title=""):
        calls.append(1)
        return real(body, title)

    monkeypatch.setattr(store, "text_features", counted)
    return calls


def test_a_fresh_process_reads_candidates_from_storage(conn, monkeypatch):
    names = load_fixtures(conn)
    calls = _count_featurising(monkeypatch)
    for item_id in random.Random(7).sample(sorted(names), len(names)):
        monkeypatch.setattr(store, "_RECENT", RecentFeatures())
        assign_stories(conn, [item_id])
    assert partition(conn, names) == truth()
    assert len(calls) == len(names)  # each item featurised once, when it was fingerprinted


def test_an_exact_copy_under_a_new_headline_is_featurised_once(conn, monkeypatch):
    names = load_fixtures(conn)
    ids = {name: i for i, name in names.items()}
    original = ids["b1_pti_andheri_fire.txt"]
    with conn.cursor() as cur:  # another outlet's copy: the same body, its own headline
        cur.execute("""INSERT INTO items (feed_id, identity, guid, title, text, body_text, content_hash, fetch_id)
                       SELECT feed_id, identity || '-copy', guid || '-copy', 'Fire in Andheri: what we know',
                              text, body_text, content_hash || '-copy', fetch_id FROM items WHERE id = %s
                       RETURNING id""", (original,))
        copy = cur.fetchone()[0]
    conn.commit()
    calls = _count_featurising(monkeypatch)
    monkeypatch.setattr(store, "_RECENT", RecentFeatures())
    assign_stories(conn, [original, copy])
    assert len(calls) == 1
    assert count(conn, "SELECT count(DISTINCT story_id) FROM story_items WHERE item_id IN (%s, %s)", original, copy) == 1
    assert count(conn, "SELECT match FROM story_items WHERE item_id = %s", copy) == "exact"


def test_rows_fingerprinted_before_the_stored_features_are_featurised_again(conn, monkeypatch):
    names = load_fixtures(conn)
    ids = sorted(names)
    assign_stories(conn, ids[::2])
    with conn.cursor() as cur:
        cur.execute("UPDATE item_fingerprints SET text_features = NULL")
    conn.commit()
    calls = _count_featurising(monkeypatch)
    monkeypatch.setattr(store, "_RECENT", RecentFeatures())
    assign_stories(conn, ids[1::2])
    assert partition(conn, names) == truth()
    assert len(calls) > len(ids[1::2])  # the new items, and the earlier ones they met, from their text


def test_a_candidate_apart_in_time_is_ruled_out_before_its_words_are_read(conn, monkeypatch):
    names = load_fixtures(conn)
    original = {name: i for i, name in names.items()}["b1_pti_andheri_fire.txt"]
    with conn.cursor() as cur:
        cur.execute("UPDATE items SET published_at = '2025-06-01T08:00:00Z' WHERE id = %s", (original,))
    conn.commit()
    assign_stories(conn, [original])
    with conn.cursor() as cur:  # the same words a month later: a recurring note, not a copy (match.MAX_GAP)
        cur.execute("""INSERT INTO items (feed_id, identity, guid, title, text, body_text, content_hash, fetch_id,
                                          published_at)
                       SELECT feed_id, identity || '-later', guid || '-later', title, text, body_text,
                              content_hash || '-later', fetch_id, published_at + interval '30 days'
                         FROM items WHERE id = %s RETURNING id""", (original,))
        later = cur.fetchone()[0]
    conn.commit()
    decoded = []
    real_decode = stored.decode
    monkeypatch.setattr(stored, "decode", lambda *args: decoded.append(args) or real_decode(*args))
    monkeypatch.setattr(store, "_RECENT", RecentFeatures())
    calls = _count_featurising(monkeypatch)
    assign_stories(conn, [later])
    assert decoded == [] and len(calls) == 1  # the original's stored words were not read, nor made again
    assert count(conn, "SELECT count(DISTINCT story_id) FROM story_items WHERE item_id IN (%s, %s)",
                 original, later) == 2
