"""The worker SIGKILLed after its COMMIT and before Airflow records success: the retry adds nothing."""
import os
import signal
import subprocess
import sys

import pytest

from wirefeed import db, pipeline

from tests.chaos.conftest import fetch_all, plain_connect, run_clean, snapshot, unthrottle, write_registry
from tests.chaos.feedserver import wait_for
from tests.conftest import ROOT, count

pytestmark = pytest.mark.chaos

FEEDS, ITEMS = 10, 100
# The step as a task process runs it; the sleep is the moment between its commit and Airflow recording success.
WORKER = """
import sys, time
from wirefeed import db, pipeline
conn = db.connect(sys.argv[1])
if sys.argv[2] == "fetch":
    pipeline.fetch_feeds(conn, [i for b in pipeline.plan_fetch_batches(conn, force=True) for i in b])
else:
    pipeline.BATCH_FETCHES = 3  # several load transactions, so a kill can fall between two
    pipeline.process_pending(conn)
time.sleep(600)
"""


def _worker(url: str, step: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WORKER, url, step], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_when(proc: subprocess.Popen, watch, sql: str) -> None:
    """SIGKILL the worker as soon as the database shows its commit (`sql` is true)."""
    assert wait_for(lambda: proc.poll() is None and count(watch, sql), timeout=180, every=0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)


@pytest.fixture
def registry(server, tmp_path):
    server.items = ITEMS
    return write_registry(tmp_path / "feeds.yaml", [server.base + f"/feed/{n}.xml" for n in range(FEEDS)])


def _synced(url, registry):
    conn = db.connect(url)
    unthrottle(conn, ["127.0.0.1"])
    pipeline.sync_registry(conn, registry)
    return conn


# After the first fetch's commit (mid-run), and after the last commit of the run, clustering included.
PROCESS_KILLS = {
    "after_first_commit": "SELECT count(*) > 0 FROM fetches WHERE processed_at IS NOT NULL",
    "after_last_commit": """SELECT NOT EXISTS (SELECT 1 FROM fetches WHERE processed_at IS NULL)
                                AND (SELECT count(*) FROM item_fingerprints) = %d""" % (FEEDS * ITEMS),
}


@pytest.mark.parametrize("moment", sorted(PROCESS_KILLS))
def test_process_killed_after_commit_retry_adds_nothing(moment, make_db, registry):
    url = make_db()
    conn = _synced(url, registry)
    assert fetch_all(conn).fetched == FEEDS
    watch = plain_connect(url)
    _kill_when(_worker(url, "process"), watch, PROCESS_KILLS[moment])
    before = snapshot(watch)

    retried = pipeline.process_pending(conn)
    after = snapshot(conn)
    if moment == "after_last_commit":
        assert retried.fetches == 0 and retried.items_new == 0 and after == before
    # Whatever the kill left half-done (fetches, or clustering) the retry finishes; nothing is doubled.
    assert retried.items_new == FEEDS * ITEMS - before["items"]
    conn.close()
    watch.close()
    assert after == run_clean(make_db(), registry)
    assert after["items"] == after["distinct_keys"] == FEEDS * ITEMS and after["unprocessed"] == 0


def test_fetch_killed_after_landing_commit_retry_lands_each_body_once(make_db, registry):
    url = make_db()
    conn = _synced(url, registry)
    watch = plain_connect(url)
    _kill_when(_worker(url, "fetch"), watch, "SELECT count(*) >= 3 FROM fetches")
    landed_before = count(watch, "SELECT count(*) FROM fetches")
    assert 3 <= landed_before < FEEDS

    # The retry fetches every feed again: the bodies already landed come back unchanged and are not stored twice.
    retried = fetch_all(conn)
    assert retried.deferred == 0 and retried.unchanged == landed_before
    assert count(conn, "SELECT count(*) FROM fetches WHERE body IS NOT NULL") == FEEDS
    pipeline.process_pending(conn)
    after = snapshot(conn)
    conn.close()
    watch.close()
    assert after == run_clean(make_db(), registry)
    assert after["items"] == after["distinct_keys"] == FEEDS * ITEMS
