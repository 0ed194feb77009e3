"""Redelivery: the same wire article from two feeds delivered twice, and the same drop-folder event or landed
fetch delivered twice: each is processed once (one item per feed, one story)."""
import threading
from xml.sax.saxutils import escape

import pytest

from wirefeed import db, inbox, pipeline

from tests.chaos.conftest import fetch_all, run_clean, snapshot, unthrottle, write_registry
from tests.chaos.feedserver import item_text, rss
from tests.conftest import count

pytestmark = pytest.mark.chaos

BODY = item_text(4242, 0, words=220)
DISCLAIMER = "(Except for the headline, this story has not been edited by staff and is published from a syndicated feed.)"


def _outlet_feed(guid: str, title: str, tail: str, build: int) -> bytes:
    """One outlet's feed carrying the wire story under its own GUID and headline; `build` changes its bytes."""
    entry = (f"<item><guid isPermaLink=\"false\">{guid}</guid><title>{escape(title)}</title>"
             f"<link>http://example.org/{guid}</link><pubDate>Fri, 27 Nov 2026 10:00:00 GMT</pubDate>"
             f"<description>{escape(BODY + ' ' + tail)}</description></item>")
    return rss(0, 1, extra={0: entry}, build=f" build {build}")


def test_same_article_from_two_feeds_delivered_twice(make_db, server, tmp_path):
    deliveries = {"n": 0}
    urls = [server.route("/tribune.xml", lambda: _outlet_feed("trib-1", "Envoys meet in Delhi", "", deliveries["n"])),
            server.route("/courier.xml", lambda: _outlet_feed("cour-77", "Delhi talks: envoys meet",
                                                               DISCLAIMER, deliveries["n"]))]
    registry = write_registry(tmp_path / "feeds.yaml", urls)
    conn = db.connect(make_db())
    unthrottle(conn, ["127.0.0.1"])
    pipeline.sync_registry(conn, registry)
    for deliveries["n"] in (1, 2):  # new bytes each time (the build stamp), so both deliveries are re-parsed
        assert fetch_all(conn).fetched == 2
        processed = pipeline.process_pending(conn)
        assert processed.fetches == 2 and processed.items_found == 2
    assert processed.items_new == 0 and processed.items_unchanged == 2

    assert count(conn, "SELECT count(*) FROM items") == 2
    assert count(conn, "SELECT count(DISTINCT feed_id) FROM items") == 2
    assert count(conn, "SELECT count(*) FROM stories") == 1
    assert count(conn, "SELECT count(*) FROM stories WHERE item_count = 2 AND cardinality(outlets) = 2") == 1
    assert count(conn, "SELECT count(*) FROM story_items") == 2
    landed = snapshot(conn)
    conn.close()
    deliveries["n"] = 1
    assert landed == run_clean(make_db(), registry)


def test_same_fetches_processed_twice_at_once(make_db, server, tmp_path):
    """The Asset event / NOTIFY delivered twice: two process runs over the same landed fetches."""
    server.items = 100
    registry = write_registry(tmp_path / "feeds.yaml", [server.base + f"/feed/{n}.xml" for n in range(6)])
    url = make_db()
    conn = db.connect(url)
    unthrottle(conn, ["127.0.0.1"])
    pipeline.sync_registry(conn, registry)
    fetch_all(conn)
    runs, errors = [], []

    def run():
        other = db.connect(url)
        try:
            runs.append(pipeline.process_pending(other))
        except Exception as exc:
            errors.append(exc)
        finally:
            other.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert errors == [] and len(runs) == 2
    # Each fetch went to exactly one of the runs (SKIP LOCKED), and a third delivery finds nothing to do.
    assert sum(r.items_found for r in runs) == 600 and sum(r.items_new for r in runs) == 600
    assert pipeline.process_pending(conn).fetches == 0
    landed = snapshot(conn)
    conn.close()
    assert landed == run_clean(make_db(), registry)
    assert landed["items"] == landed["distinct_keys"] == 600


def _drop(folder, data: bytes, name: str) -> None:
    """Drop a file the way a writer should: under a dot-name, then renamed."""
    (folder / f".{name}").write_bytes(data)
    (folder / f".{name}").rename(folder / name)


def test_drop_folder_event_delivered_twice_is_processed_once(make_db, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    feed = rss(7, 50)
    url = make_db()
    conn = db.connect(url)
    _drop(folder, feed, "batch.xml")
    # The watcher fires twice for one file: two drains at once, then the same file delivered again later.
    results, errors = [], []

    def drain():
        other = db.connect(url)
        try:
            results.append(inbox.drain(other, folder, min_age_s=0))
        except Exception as exc:
            errors.append(exc)
        finally:
            other.close()

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and sum(r.landed for r in results) == 1
    _drop(folder, feed, "batch.xml")
    _drop(folder, feed, "batch-resent.xml")
    again = inbox.drain(conn, folder, min_age_s=0)
    assert (again.landed, again.duplicates) == (0, 2)
    for _ in range(2):
        pipeline.process_pending(conn)

    assert count(conn, "SELECT count(*) FROM fetches") == 1
    assert count(conn, "SELECT count(*) FROM fetches WHERE processed_at IS NOT NULL AND items_new = 50") == 1
    landed = snapshot(conn)
    conn.close()

    # The clean run: the same folder (so the same inbox feed URL), the file dropped once and drained once.
    _drop(folder, feed, "batch.xml")
    clean = db.connect(make_db())
    inbox.drain(clean, folder, min_age_s=0)
    pipeline.process_pending(clean)
    expected = snapshot(clean)
    clean.close()
    assert landed == expected
    assert landed["items"] == landed["distinct_keys"] == 50
