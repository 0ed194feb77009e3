"""One malformed entry in a feed of 100: the other 99 land, the bad one is recorded with its reason, and the
feeds queued behind it are not held up."""
import random
import string

import pytest

from wirefeed import db, pipeline

from tests.chaos.conftest import fetch_all, run_clean, snapshot, unthrottle, write_registry
from tests.chaos.feedserver import item_text, rss
from tests.conftest import count

pytestmark = pytest.mark.chaos

_HUGE_GUID = "".join(random.Random(7).choices(string.ascii_letters, k=9000))
# Parses fine, but its identity overflows the (feed_id, identity) index: the database refuses the row.
HUGE_GUID_ENTRY = (f"<item><guid isPermaLink=\"false\">{_HUGE_GUID}</guid><title>Huge</title>"
                   f"<description>{item_text(99, 5)}</description></item>")


def _setup(server, tmp_path, entry: str, clean_entry: str):
    """Feed 1 (100 entries, entry 5 malformed until `state['bad']` is cleared) and feed 2 queued behind it."""
    state = {"bad": True}
    bad_url = server.route("/mixed.xml", lambda: rss(1, 100, extra={5: entry if state["bad"] else clean_entry}))
    after_url = server.route("/after.xml", rss(2, 100))
    return state, bad_url, after_url, write_registry(tmp_path / "feeds.yaml", [bad_url, after_url])


def _run(url, registry):
    conn = db.connect(url)
    unthrottle(conn, ["127.0.0.1"])
    pipeline.sync_registry(conn, registry)
    fetch_all(conn)
    return conn, pipeline.process_pending(conn)


def _items_of(conn, feed_url):
    return count(conn, "SELECT count(*) FROM items i JOIN feeds f ON f.id = i.feed_id WHERE f.url = %s", feed_url)


def test_entry_the_database_refuses_99_land_and_it_is_recorded(make_db, server, tmp_path):
    state, bad_url, after_url, registry = _setup(server, tmp_path, HUGE_GUID_ENTRY, "")
    conn, processed = _run(make_db(), registry)

    assert processed.fetches == 2 and processed.failed == 1
    assert _items_of(conn, bad_url) == 99 and _items_of(conn, after_url) == 100
    # The reason is kept on the fetch and on the feed; the fetch is done, so a retry does not trip over it again.
    assert count(conn, "SELECT count(*) FROM fetches WHERE processed_at IS NOT NULL AND partial AND items_found = 100"
                       " AND items_new = 99 AND parse_error LIKE %s", "%rejected: index row requires%") == 1
    assert count(conn, "SELECT count(*) FROM feeds WHERE url = %s AND last_error LIKE %s",
                 bad_url, "%index row requires%") == 1
    landed = snapshot(conn)
    assert pipeline.process_pending(conn).fetches == 0 and snapshot(conn) == landed
    conn.close()

    state["bad"] = False  # the clean run: the same feeds with entry 5 absent
    assert landed == run_clean(make_db(), registry)
    assert landed["items"] == landed["distinct_keys"] == 199


def test_broken_xml_entry_is_recovered_and_the_fetch_flagged(make_db, server, tmp_path):
    # An undefined entity makes the document not well-formed; the parser recovers every entry, this one verbatim.
    entry = "<item><guid>bad</guid><title>Broken &bogus; entity</title><description>Body.</description></item>"
    escaped = entry.replace("&bogus;", "&amp;bogus;")
    state, bad_url, after_url, registry = _setup(server, tmp_path, entry, escaped)
    conn, processed = _run(make_db(), registry)

    assert processed.fetches == 2 and processed.failed == 1
    assert _items_of(conn, bad_url) == 100 and _items_of(conn, after_url) == 100
    assert count(conn, "SELECT count(*) FROM fetches WHERE partial AND parse_error LIKE %s",
                 "broken XML, items recovered:%undefined entity%") == 1
    assert count(conn, "SELECT count(*) FROM items WHERE title = 'Broken &bogus; entity'") == 1
    landed = snapshot(conn)
    conn.close()

    state["bad"] = False  # the clean run: the same entry, well-formed
    assert landed == run_clean(make_db(), registry)
    assert landed["items"] == landed["distinct_keys"] == 200
