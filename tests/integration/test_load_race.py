"""A new item COPYed while another load of the same feed stores it first ends as the upsert always ended it."""
import threading

import psycopg2

from wirefeed import load
from wirefeed.models import Feed

from tests.conftest import count
from tests.integration.test_load import article


def test_identity_stored_meanwhile_is_upserted_not_refused(conn, db_url):
    feed_id = load.upsert_feeds(conn, [Feed(url="https://a.example/rss", name="A")])["https://a.example/rss"]
    first = psycopg2.connect(db_url)
    load.load_articles(first, feed_id, None, [article("g1", text="First body.")], commit=False)
    outcome = {}

    def second_load():
        # Its check cannot see the uncommitted row: its COPY waits for the first load, then meets the row.
        outcome["counts"], outcome["ids"] = load.load_articles(conn, feed_id, None,
                                                               [article("g1", text="Second body."), article("g2")])

    racer = threading.Thread(target=second_load)
    racer.start()
    racer.join(1)
    assert racer.is_alive()  # waiting on the first load's row
    first.commit()
    first.close()
    racer.join(10)
    counts = outcome["counts"]
    assert (counts.new, counts.updated, counts.unchanged) == (1, 1, 0) and len(outcome["ids"]) == 2
    assert count(conn, "SELECT count(*) FROM items") == 2
    assert count(conn, "SELECT count(*) FROM items WHERE text = 'Second body.'") == 1
