"""Loading is an idempotent upsert keyed by (feed, identity)."""
import dataclasses
from datetime import datetime, timezone

from wirefeed import load
from wirefeed.models import Article, Feed, Item

from tests.conftest import count


def article(guid, title="A title", text="Body text.", url=None):
    item = Item(guid=guid, url=url, title=title, text=text, html=f"<p>{text}</p>",
                published_at=datetime(2025, 5, 20, tzinfo=timezone.utc))
    return Article(item=item, title=title, text=text, word_count=len(text.split()))


def test_upsert_feeds_is_idempotent(conn):
    feeds = [Feed(url="https://a.example/rss", name="A", tags=("x",)), Feed(url="https://b.example/rss", name="B")]
    first = load.upsert_feeds(conn, feeds)
    second = load.upsert_feeds(conn, [dataclasses.replace(feeds[0], name="A renamed"), feeds[1]])
    assert first == second and len(first) == 2
    assert count(conn, "SELECT count(*) FROM feeds WHERE name = 'A renamed'") == 1


def test_load_articles_insert_update_unchanged(conn):
    feed_id = load.upsert_feeds(conn, [Feed(url="https://a.example/rss", name="A")])["https://a.example/rss"]
    batch = [article("g1"), article("g2", text="Other body."), article(None, url="https://a.example/3")]
    counts, ids = load.load_articles(conn, feed_id, None, batch)
    assert (counts.new, counts.updated, counts.unchanged) == (3, 0, 0) and len(ids) == 3
    counts, ids = load.load_articles(conn, feed_id, None, batch)
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 3) and ids == []
    edited = [article("g1", title="A new title"), *batch[1:]]
    counts, ids = load.load_articles(conn, feed_id, None, edited)
    assert (counts.new, counts.updated, counts.unchanged) == (0, 1, 2) and len(ids) == 1
    assert count(conn, "SELECT count(*) FROM items") == 3
    assert count(conn, "SELECT count(*) FROM items WHERE title = 'A new title'") == 1


def test_same_identity_twice_in_one_feed_loads_once(conn):
    feed_id = load.upsert_feeds(conn, [Feed(url="https://a.example/rss", name="A")])["https://a.example/rss"]
    counts, _ = load.load_articles(conn, feed_id, None, [article("g1"), article("g1", title="dup")])
    assert counts.new == 1 and count(conn, "SELECT count(*) FROM items") == 1


def test_identity_falls_back_to_content_hash(conn):
    feed_id = load.upsert_feeds(conn, [Feed(url="https://a.example/rss", name="A")])["https://a.example/rss"]
    load.load_articles(conn, feed_id, None, [article(None), article(None, text="Different.")])
    assert count(conn, "SELECT count(*) FROM items WHERE identity LIKE 'hash:%%'") == 2


def test_same_item_in_two_feeds_is_one_row_per_feed(conn):
    ids = load.upsert_feeds(conn, [Feed(url="https://a.example/rss", name="A"), Feed(url="https://b.example/rss", name="B")])
    for feed_id in ids.values():
        load.load_articles(conn, feed_id, None, [article("shared-guid")])
        load.load_articles(conn, feed_id, None, [article("shared-guid")])
    assert count(conn, "SELECT count(*) FROM items") == 2


def test_landed_bodies_read_back_with_zlib():
    import zlib
    for body in (b"", b"<rss/>", bytes(range(256)) * 500, "Tel Aviv [Israel], May 20 (ANI/TPS) ".encode() * 3000):
        assert zlib.decompress(load.pack_body(body)) == body
