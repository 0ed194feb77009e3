"""The same tasks running twice at once (two fetches, two processings, all overlapping): no duplicate rows,
no deadlock, and the tables equal a clean run's."""
import threading
import time

import pytest

from wirefeed import db, pipeline

from tests.chaos.conftest import fetch_all, run_clean, snapshot, unthrottle, write_registry
from tests.conftest import count

pytestmark = pytest.mark.chaos

FEEDS, ITEMS = 16, 100


def test_fetch_and_process_twice_at_once(make_db, server, tmp_path):
    server.items = ITEMS
    registry = write_registry(tmp_path / "feeds.yaml", [server.base + f"/feed/{n}.xml" for n in range(FEEDS)])
    url = make_db()
    setup = db.connect(url)
    unthrottle(setup, ["127.0.0.1"], max_concurrency=4)
    pipeline.sync_registry(setup, registry)
    errors, fetching_done = [], threading.Event()

    def fetcher():
        conn = db.connect(url)
        try:
            fetch_all(conn)
        finally:
            conn.close()

    def processor():
        conn = db.connect(url)
        try:
            # Keep processing while the fetches land, as back-to-back event-driven runs would.
            while True:
                done = fetching_done.is_set()
                pipeline.process_pending(conn)
                if done:
                    break
                time.sleep(0.05)
        finally:
            conn.close()

    def guarded(target):
        def run():
            try:
                target()
            except Exception as exc:  # a deadlock or a unique violation lands here and fails the test
                errors.append(exc)
        return threading.Thread(target=run)

    fetchers = [guarded(fetcher) for _ in range(2)]
    processors = [guarded(processor) for _ in range(2)]
    for t in fetchers + processors:
        t.start()
    for t in fetchers:
        t.join(300)
    fetching_done.set()
    for t in processors:
        t.join(300)
    assert not any(t.is_alive() for t in fetchers + processors), "a task hung"
    assert errors == []

    # Both fetch runs landed most bodies twice; each was processed exactly once, and no item doubled.
    assert count(setup, "SELECT count(*) FROM fetches") == 2 * FEEDS
    assert count(setup, "SELECT count(*) FROM fetches WHERE body IS NOT NULL AND processed_at IS NULL") == 0
    assert count(setup, "SELECT count(*) FROM (SELECT feed_id, identity FROM items GROUP BY 1, 2 "
                        "HAVING count(*) > 1) d") == 0
    assert count(setup, "SELECT count(*) FROM (SELECT item_id FROM story_items GROUP BY 1 HAVING count(*) > 1) d") == 0
    landed = snapshot(setup)
    setup.close()
    assert landed == run_clean(make_db(), registry)
    assert landed["items"] == landed["distinct_keys"] == FEEDS * ITEMS
