"""Several fetches loaded in one transaction (load.load_fetches, pipeline.load_batch and process_pending) end exactly
as loading them one after the other: the same stored rows in the same id order, aliases, versions, counts and
marks; a row the database refuses, a concurrent writer or a crash changes nothing of that."""
import dataclasses
import random
import string
import threading
from datetime import datetime, timezone
from xml.sax.saxutils import escape

import psycopg2
import pytest

from wirefeed import load, pipeline
from wirefeed.models import Article, Feed, Fetch, Item

from tests.conftest import _fresh_database, count
from tests.integration.test_load_aliases import CONTENTS

FEEDS = ("https://a.example/rss", "https://b.example/rss", "https://c.example/rss")
# Every stored column but the id (its order is the ORDER BY) and the load's timestamps.
_ITEM_ROW = """f.url, i.identity, i.guid, i.url, i.link, i.title, i.text, i.html, i.authors, i.categories, i.language,
               i.published_at, i.updated_at, i.flags, i.content_hash, i.fetch_id, i.body_text, i.agencies,
               i.dateline, i.syndicated, i.syndicated_by, i.word_count, i.removed"""
DIGEST = {
    "items": f"SELECT {_ITEM_ROW} FROM items i JOIN feeds f ON f.id = i.feed_id ORDER BY i.id",
    "aliases": """SELECT f.url, a.identity, a.guid, a.url, i.identity FROM item_aliases a JOIN items i ON i.id = a.item_id
                  JOIN feeds f ON f.id = a.feed_id ORDER BY a.id""",
    "versions": """SELECT i.identity, v.changed, v.title, v.text, v.link, v.content_hash, v.new_content_hash
                   FROM item_versions v JOIN items i ON i.id = v.item_id ORDER BY v.id""",
    "fetches": """SELECT id, processed_at IS NOT NULL, items_found, items_new, items_updated, partial, parse_error
                  FROM fetches ORDER BY id""",
    "feeds": "SELECT url, last_error FROM feeds ORDER BY url",
}


def digest(conn) -> dict:
    """What the load stored, ids left out (their order is kept by the ORDER BY)."""
    out = {}
    with conn.cursor() as cur:
        for name, sql in DIGEST.items():
            cur.execute(sql)
            out[name] = cur.fetchall()
    conn.commit()
    return out


@pytest.fixture
def other_conn(pg_server_url, pg_template):
    """A second fresh database: the same fetches loaded the other way."""
    for url in _fresh_database(pg_server_url, "wf_test", pg_template):
        connection = psycopg2.connect(url)
        yield connection
        connection.close()


def article(guid: str, content: int, url: str | None = None) -> Article:
    title, text = CONTENTS[content]
    item = Item(guid=guid, url=url, title=title, text=text, html=f"<p>{text}</p>",
                published_at=datetime(2025, 5, 20, tzinfo=timezone.utc))
    return Article(item=item, title=title, text=text, word_count=len(text.split()))


def feed_ids(conn) -> list[int]:
    ids = load.upsert_feeds(conn, [Feed(url=url, name=url) for url in FEEDS])
    return [ids[url] for url in FEEDS]


def random_fetch(rng: random.Random) -> tuple[int, list[Article]]:
    """One fetch of a random feed: GUIDs from a small pool (re-emitted, edited), contents shared across feeds."""
    return rng.randrange(len(FEEDS)), [article(f"g{rng.randrange(12)}", rng.randrange(len(CONTENTS)),
                                               url=f"https://x.example/{rng.randrange(3)}")
                                       for _ in range(rng.randrange(0, 7))]


@pytest.mark.parametrize("seed", range(16))
def test_random_fetches_in_one_batch_end_as_one_by_one(conn, other_conn, seed):
    rng = random.Random(seed)
    one_by_one, batched = feed_ids(conn), feed_ids(other_conn)
    for _ in range(6):  # batches in a row, each meeting what the ones before stored
        fetches = [random_fetch(rng) for _ in range(rng.randrange(1, 9))]
        expected = [load.load_articles(conn, one_by_one[feed], None, articles) for feed, articles in fetches]
        got = load.load_fetches(other_conn, [(batched[feed], None, articles) for feed, articles in fetches])
        other_conn.commit()
        assert [counts for counts, _ in got] == [counts for counts, _ in expected]
        assert [len(ids) for _, ids in got] == [len(ids) for _, ids in expected]
        assert digest(other_conn) == digest(conn)


def test_same_content_in_two_feeds_is_no_alias_but_repeated_in_one_feed_is(conn):
    a, b, _ = feed_ids(conn)
    loaded = load.load_fetches(conn, [(a, None, [article("x", 0)]), (b, None, [article("y", 0)]),
                                      (a, None, [article("z", 0)])])
    conn.commit()
    assert [(c.new, c.updated, c.unchanged) for c, _ in loaded] == [(1, 0, 0), (1, 0, 0), (0, 0, 1)]
    assert count(conn, "SELECT count(*) FROM items") == 2
    assert digest(conn)["aliases"] == [(FEEDS[0], "guid:z", "z", None, "guid:x")]


def test_an_edit_in_another_feed_does_not_hide_an_alias_target(conn):
    a, b, _ = feed_ids(conn)
    load.load_articles(conn, a, None, [article("x", 0)])
    # Feed b's "x" edits nothing of feed a: feed a's "x" is still what "y" re-emits.
    loaded = load.load_fetches(conn, [(b, None, [article("x", 1)]), (a, None, [article("y", 0)])])
    conn.commit()
    assert [(c.new, c.updated, c.unchanged) for c, _ in loaded] == [(1, 0, 0), (0, 0, 1)]
    assert digest(conn)["aliases"] == [(FEEDS[0], "guid:y", "y", None, "guid:x")]


def test_an_item_re_emitted_and_edited_across_fetches_of_one_batch(conn, other_conn):
    # Fetch 2 re-emits fetch 1's item under a new GUID and edits another; fetch 3 edits the alias target back.
    fetches = [[article("a", 0), article("b", 2)], [article("a2", 0), article("b", 1)], [article("a", 1)]]
    one_by_one, batched = feed_ids(conn)[0], feed_ids(other_conn)[0]
    expected = [load.load_articles(conn, one_by_one, None, f)[0] for f in fetches]
    got = [c for c, _ in load.load_fetches(other_conn, [(batched, None, f) for f in fetches])]
    other_conn.commit()
    assert got == expected and [(c.new, c.updated, c.unchanged) for c in got] == [(2, 0, 0), (0, 1, 1), (0, 1, 0)]
    assert digest(other_conn) == digest(conn)
    assert count(other_conn, "SELECT count(*) FROM item_versions") == 2


def rss(entries: list[tuple[str, str, str]]) -> bytes:
    """An RSS feed of (guid, title, text) entries."""
    items = "".join(f"<item><guid isPermaLink=\"false\">{escape(guid)}</guid><title>{escape(title)}</title>"
                    f"<link>http://example.org/{escape(guid)}</link><pubDate>Tue, 20 May 2025 10:00:00 GMT</pubDate>"
                    f"<description>{escape(text)}</description></item>" for guid, title, text in entries)
    return (f"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>T</title>"
            f"<link>http://example.org/</link><description>d</description>{items}</channel></rss>").encode()


def land_corpus(conn, rng: random.Random, fetches: int) -> None:
    """Land random fetches of the three feeds: re-emitted, edited, shared and short entries, some broken bodies."""
    ids = feed_ids(conn)
    for n in range(fetches):
        feed = rng.randrange(len(FEEDS))
        entries = [(f"g{rng.randrange(15)}", *CONTENTS[rng.randrange(len(CONTENTS))]) for _ in range(rng.randrange(8))]
        body = rss(entries) if n % 7 != 3 else b"<html><body>not a feed"
        load.record_fetch(conn, ids[feed], Fetch(url=FEEDS[feed], status=200, body=body, content_hash=str(n)))


@pytest.mark.parametrize("seed", range(3))
def test_process_pending_in_batches_equals_fetch_by_fetch(conn, other_conn, monkeypatch, seed):
    land_corpus(conn, random.Random(seed), 30)
    land_corpus(other_conn, random.Random(seed), 30)
    monkeypatch.setattr(pipeline, "BATCH_FETCHES", 1)  # today's load: one fetch a transaction
    expected = pipeline.process_pending(conn)
    monkeypatch.setattr(pipeline, "BATCH_FETCHES", 12)
    got = pipeline.process_pending(other_conn)
    assert got.as_dict() == expected.as_dict() and got.fetches == 30 and got.failed > 0
    assert digest(other_conn) == digest(conn)


def test_batches_are_bounded(conn, monkeypatch):
    ids = feed_ids(conn)
    for n in range(7):
        load.record_fetch(conn, ids[n % 3], Fetch(url=FEEDS[n % 3], status=200, content_hash=str(n),
                                                   body=rss([(f"g{n}-{i}", f"t{i}", f"text {n} {i}") for i in range(4)])))
    sizes = []
    real = pipeline.load_batch
    monkeypatch.setattr(pipeline, "load_batch", lambda conn, batch: sizes.append(len(batch)) or real(conn, batch))
    monkeypatch.setattr(pipeline, "BATCH_ITEMS", 10)  # 4 entries a fetch: three fetches reach it
    assert pipeline.process_pending(conn).items_new == 28
    assert sizes == [3, 3, 1]
    sizes.clear()
    monkeypatch.setattr(pipeline, "BATCH_FETCHES", 2)
    pipeline.load_parsed(conn, [pipeline.ParsedFetch(n, ids[0], []) for n in range(1, 6)])
    assert sizes == [2, 2, 1]


def refused_article(bad: str) -> Article:
    """An entry the database refuses: a NUL cannot be sent (found by the check, or in the COPY data), and a 9 kB
    identity (incompressible) overflows its index."""
    if bad == "huge_guid":
        return article("".join(random.Random(7).choices(string.ascii_letters, k=9000)), 2)
    if bad == "nul_guid":
        return article("bad\x00guid", 0)
    nul = article("bad-title", 0)
    return dataclasses.replace(nul, title="bad\x00title", item=dataclasses.replace(nul.item, title="bad\x00title"))


@pytest.mark.parametrize("bad", ["nul_guid", "nul_title", "huge_guid"])
def test_a_row_the_database_refuses_fails_no_other_fetch(conn, other_conn, bad):
    refused = refused_article(bad)
    fetches = [[article("a", 0)], [article("b", 1), refused, article("c", 3)], [article("a", 2)]]

    def land(connection):
        ids = feed_ids(connection)
        return [pipeline.ParsedFetch(load.record_fetch(connection, ids[n], Fetch(url=FEEDS[n], status=200, body=b"x")),
                                     ids[n], articles) for n, articles in enumerate(fetches)]

    one_by_one = [pipeline.load_batch(conn, [fetch]) for fetch in land(conn)]
    batched = pipeline.load_batch(other_conn, land(other_conn))
    assert [p for p, _ in batched] == [p for (p, _), in one_by_one]
    assert [(p.counts.new, p.partial) for p, _ in batched] == [(1, False), (2, True), (1, False)]
    assert "rejected" in batched[1][0].error and batched[0][0].error is None
    assert digest(other_conn) == digest(conn)
    assert count(other_conn, "SELECT count(*) FROM fetches WHERE processed_at IS NOT NULL") == 3


def test_an_identity_stored_meanwhile_in_one_feed_of_the_batch_is_upserted(conn, db_url):
    a, b, _ = feed_ids(conn)
    first = psycopg2.connect(db_url)
    load.load_articles(first, a, None, [article("g1", 1)], commit=False)
    outcome = {}

    def batch():
        # Its check cannot see the uncommitted row: its COPY waits for the first load, then meets the row.
        outcome["loaded"] = load.load_fetches(conn, [(b, None, [article("g1", 0), article("g2", 3)]),
                                                     (a, None, [article("g1", 0), article("g2", 2)])])
        conn.commit()

    racer = threading.Thread(target=batch)
    racer.start()
    racer.join(1)
    assert racer.is_alive()  # waiting on the first load's row
    first.commit()
    first.close()
    racer.join(10)
    assert [(c.new, c.updated, c.unchanged) for c, _ in outcome["loaded"]] == [(2, 0, 0), (1, 1, 0)]
    assert count(conn, "SELECT count(*) FROM items") == 4
    assert count(conn, "SELECT count(*) FROM item_versions") == 1


def test_a_crash_in_the_batch_leaves_every_fetch_of_it_unprocessed(conn, monkeypatch):
    ids = feed_ids(conn)
    for n in range(4):
        load.record_fetch(conn, ids[n % 3], Fetch(url=FEEDS[n % 3], status=200, content_hash=str(n),
                                                   body=rss([(f"g{n}", "t", f"text {n}")])))

    def lost(*args, **kwargs):
        raise psycopg2.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(load, "mark_processed", lost)  # after the batch's rows are written, before the commit
    with pytest.raises(psycopg2.OperationalError):
        pipeline.process_pending(conn)
    conn.rollback()
    assert count(conn, "SELECT count(*) FROM items") == 0
    assert count(conn, "SELECT count(*) FROM fetches WHERE processed_at IS NULL") == 4
    monkeypatch.undo()
    assert pipeline.process_pending(conn).items_new == 4


def test_a_fetch_another_run_holds_is_left_to_it(conn, db_url):
    ids = feed_ids(conn)
    fetch_ids = [load.record_fetch(conn, ids[n], Fetch(url=FEEDS[n], status=200, content_hash=str(n),
                                                         body=rss([(f"g{n}", "t", f"text {n}")])))
                 for n in range(3)]
    other = psycopg2.connect(db_url)
    with other.cursor() as cur:
        cur.execute("SELECT 1 FROM fetches WHERE id = %s FOR UPDATE", (fetch_ids[1],))
    done = pipeline.process_pending(conn)
    assert (done.fetches, done.items_new) == (2, 2)  # the held one is neither processed nor counted
    other.rollback()
    other.close()
    assert pipeline.process_pending(conn).fetches == 1


def test_a_run_waits_for_a_feed_another_run_is_loading_after_committing_its_own(conn, db_url):
    ids = feed_ids(conn)
    for n in range(3):
        load.record_fetch(conn, ids[n], Fetch(url=FEEDS[n], status=200, content_hash=str(n),
                                              body=rss([(f"g{n}", "t", f"text {n}")])))
    other = psycopg2.connect(db_url)  # another run, its batch holding feed b
    with other.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", (pipeline._FEED_LOCK, ids[1]))
    outcome = {}
    runner = threading.Thread(target=lambda: outcome.setdefault("counts", pipeline.process_pending(conn)))
    runner.start()
    runner.join(2)
    assert runner.is_alive()  # waiting for feed b, holding nothing: its batch of feed a is committed
    watch = psycopg2.connect(db_url)
    assert count(watch, "SELECT count(*) FROM fetches WHERE processed_at IS NOT NULL") == 1
    other.rollback()
    runner.join(10)
    assert outcome["counts"].fetches == 3
    assert count(watch, "SELECT count(*) FROM fetches WHERE processed_at IS NOT NULL") == 3
    other.close()
    watch.close()
