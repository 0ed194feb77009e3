"""Re-emitted items are diverted to aliases by the load itself (migration 0008), exactly as the per-row trigger of
migration 0004 did: checked against a database that still has that trigger, on the same batches."""
import random
import shutil
from datetime import datetime, timezone

import psycopg2
import psycopg2.errors
import pytest
from psycopg2.extras import execute_values

from wirefeed import db, load
from wirefeed.models import Article, Feed, Item

from tests.conftest import count

LONG = "The council approved the plan to turn the old tram depot into a library. " * 4
# Contents a feed may show: long ones (can alias), and short ones (never do).
CONTENTS = [("Depot plan", LONG), ("Depot plan", LONG + "Updated."), ("Library", LONG.upper()),
            ("Photo", "A photo."), ("Photo", "")]


def article(guid: str, content: int, url: str | None = None) -> Article:
    title, text = CONTENTS[content]
    item = Item(guid=guid, url=url, title=title, text=text, html=f"<p>{text}</p>",
                published_at=datetime(2025, 5, 20, tzinfo=timezone.utc))
    return Article(item=item, title=title, text=text, word_count=len(text.split()))


def feed_of(conn) -> int:
    return load.upsert_feeds(conn, [Feed(url="https://alias.example/rss", name="Alias")])["https://alias.example/rss"]


def state(conn) -> dict:
    """The tables the load writes, keyed by identity (ids differ: the trigger spent a sequence value per alias)."""
    queries = {
        "items": "SELECT identity, content_hash, title FROM items ORDER BY identity",
        "aliases": """SELECT a.identity, i.identity FROM item_aliases a JOIN items i ON i.id = a.item_id
                      ORDER BY a.identity""",
        "versions": """SELECT i.identity, v.changed, v.content_hash, v.new_content_hash
                       FROM item_versions v JOIN items i ON i.id = v.item_id ORDER BY v.id""",
        "order": "SELECT identity FROM items ORDER BY id",
    }
    with conn.cursor() as cur:
        out = {}
        for name, sql in queries.items():
            cur.execute(sql)
            out[name] = cur.fetchall()
    conn.commit()
    return out


def load_with_trigger(conn, feed_id: int, articles: list[Article]) -> tuple[int, int, int]:
    """The load as it was with migration 0004's trigger: one INSERT ... VALUES ... ON CONFLICT of all rows."""
    rows = load.article_rows(feed_id, None, articles)
    with conn.cursor() as cur:
        changed = execute_values(cur, load._UPSERT_ITEMS.format(source="VALUES %s"), rows,
                                 template=load._ROW_TEMPLATE, fetch=True)
    conn.commit()
    new = sum(1 for _, inserted in changed if inserted)
    return new, len(changed) - new, len(rows) - len(changed)


@pytest.fixture
def trigger_conn(empty_db_url, tmp_path):
    """A database migrated only up to 0006, so the per-row alias trigger is still there."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    for version, path in db.migration_files():
        if version < "0007":
            shutil.copy(path, folder / path.name)
    connection = psycopg2.connect(empty_db_url)
    db.migrate(connection, folder)
    yield connection
    connection.close()


def test_same_content_twice_in_one_batch_is_one_item_and_an_alias(conn):
    feed_id = feed_of(conn)
    counts, ids = load.load_articles(conn, feed_id, None, [article("a", 0), article("b", 0)])
    assert (counts.new, counts.updated, counts.unchanged) == (1, 0, 1) and len(ids) == 1
    assert state(conn)["aliases"] == [("guid:b", "guid:a")]


def test_short_text_repeated_stays_separate_items(conn):
    feed_id = feed_of(conn)
    counts, _ = load.load_articles(conn, feed_id, None, [article("a", 3), article("b", 3)])
    assert counts.new == 2 and count(conn, "SELECT count(*) FROM item_aliases") == 0


def test_an_item_edited_earlier_in_the_batch_is_no_alias_target(conn):
    feed_id = feed_of(conn)
    load.load_articles(conn, feed_id, None, [article("a", 0)])
    counts, _ = load.load_articles(conn, feed_id, None, [article("a", 2), article("b", 0)])
    assert (counts.new, counts.updated) == (1, 1) and count(conn, "SELECT count(*) FROM item_aliases") == 0


def test_an_item_edited_later_in_the_batch_is_aliased_first(conn):
    # The trigger failed this batch (its update of the item, then the upsert of it: one command, one row twice).
    feed_id = feed_of(conn)
    load.load_articles(conn, feed_id, None, [article("a", 0)])
    counts, _ = load.load_articles(conn, feed_id, None, [article("b", 0), article("a", 2)])
    assert (counts.new, counts.updated, counts.unchanged) == (0, 1, 1)
    assert state(conn)["aliases"] == [("guid:b", "guid:a")]


def test_unchanged_batch_writes_nothing(conn):
    feed_id = feed_of(conn)
    batch = [article("a", 0), article("b", 2), article("c", 3)]
    load.load_articles(conn, feed_id, None, batch)
    before = count(conn, "SELECT sum(xmin::text::bigint) FROM items")
    counts, ids = load.load_articles(conn, feed_id, None, batch)
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 3) and ids == []
    assert count(conn, "SELECT sum(xmin::text::bigint) FROM items") == before


@pytest.mark.parametrize("seed", range(12))
def test_random_batches_end_as_with_the_trigger(conn, trigger_conn, seed):
    rng = random.Random(seed)
    compared = 0
    feeds = (feed_of(conn), feed_of(trigger_conn))
    for _ in range(30):
        batch = [article(f"g{rng.randrange(20)}", rng.randrange(len(CONTENTS)),
                         url=f"https://alias.example/{rng.randrange(3)}") for _ in range(rng.randrange(1, 9))]
        try:
            expected = load_with_trigger(trigger_conn, feeds[1], batch)
        except psycopg2.errors.CardinalityViolation:  # the trigger's own failure (see the test above): skipped
            trigger_conn.rollback()
            continue
        counts, _ = load.load_articles(conn, feeds[0], None, batch)
        assert (counts.new, counts.updated, counts.unchanged) == expected
        compared += 1
    assert compared > 10
    assert state(conn) == state(trigger_conn)
