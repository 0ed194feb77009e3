"""The database connection killed mid-batch, and the server restarted mid-load: the step fails with a clear
error, nothing half-written survives, and the retry (the step called again, as Airflow would) completes it."""
import threading

import psycopg2
import pgserver
import pytest

from wirefeed import db, pipeline

from tests.chaos.conftest import fetch_all, plain_connect, run_clean, snapshot, unthrottle, write_registry
from tests.chaos.feedserver import wait_for
from tests.conftest import count

pytestmark = pytest.mark.chaos

FEEDS, ITEMS = 12, 100
# Fetches per load transaction here: three batches, so the load is struck after two commits, in the third.
BATCH = 4
# What the pipeline's backend is in when it is hit: the load's first write to items (held there by the
# killer's lock on the table), or the clustering transaction (its features are computed between
# statements, so the backend sits idle in that transaction for seconds).
MOMENTS = {"load": "%items_divert_aliases(%", "cluster": "SELECT i.id, i.content_hash, i.published_at%"}
HOLD = {"load": "items", "cluster": None}


class Killer(threading.Thread):
    """Waits until `after` fetches are processed and the pipeline's backend runs a matching query, then strikes.

    With `hold` (a table), it first takes that table in SHARE mode once `after` fetches are processed: the
    pipeline's next write to it waits on the lock, so the strike cannot miss a statement that runs in
    milliseconds. The lock goes when the watcher's transaction ends.
    """

    def __init__(self, url: str, query_like: str, strike, *, after: int = 5, hold: str | None = None):
        super().__init__(daemon=True)
        self.url, self.query_like, self.strike, self.after, self.hold = url, query_like, strike, after, hold
        self.struck_at: int | None = None  # fetches processed when it struck

    def run(self):
        watch = plain_connect(self.url)
        watch.autocommit = self.hold is None
        cur = watch.cursor()

        def processed():
            cur.execute("SELECT count(*) FROM fetches WHERE processed_at IS NOT NULL AND body IS NOT NULL")
            return cur.fetchone()[0]

        def found():
            # Inside a transaction (hold) pg_stat_activity would keep showing its first snapshot.
            cur.execute("SELECT pg_stat_clear_snapshot()")
            cur.execute("""SELECT a.pid FROM pg_stat_activity a WHERE a.datname = current_database()
                            AND a.application_name = 'wirefeed' AND a.state <> 'idle' AND a.query LIKE %s""",
                        (self.query_like,))
            row = cur.fetchone()
            if row:
                done = processed()
                if done >= self.after:
                    self.strike(cur, row[0])
                    self.struck_at = done
            return self.struck_at is not None

        if self.hold:
            wait_for(lambda: processed() >= self.after, timeout=120, every=0.002)
            cur.execute(f"LOCK TABLE {self.hold} IN SHARE MODE")  # waits for a load in flight to commit
        wait_for(found, timeout=120, every=0.002)
        try:
            watch.rollback()
            watch.close()
        except psycopg2.Error:  # the strike may have taken this connection too (a server restart)
            pass


def _feeds(server, tmp_path):
    urls = [server.base + f"/feed/{n}.xml" for n in range(FEEDS)]
    return write_registry(tmp_path / "feeds.yaml", urls)


def _landed(url, registry):
    """Sync and fetch every feed (nothing goes wrong here); the faults strike the processing."""
    conn = db.connect(url)
    unthrottle(conn, ["127.0.0.1"])
    pipeline.sync_registry(conn, registry)
    assert fetch_all(conn).fetched == FEEDS
    return conn


def _terminate(cur, pid):
    cur.execute("SELECT pg_terminate_backend(%s)", (pid,))


@pytest.fixture
def feed_server(server):
    server.items = ITEMS
    return server


@pytest.mark.parametrize("moment", sorted(MOMENTS))
def test_backend_terminated_mid_batch_then_retry(moment, make_db, feed_server, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "BATCH_FETCHES", BATCH)
    registry = _feeds(feed_server, tmp_path)
    url = make_db()
    conn = _landed(url, registry)
    killer = Killer(url, MOMENTS[moment], _terminate, after=5 if moment == "load" else FEEDS, hold=HOLD[moment])
    killer.start()
    with pytest.raises(psycopg2.OperationalError, match="terminating connection|server closed the connection"):
        pipeline.process_pending(conn)
    killer.join(5)
    assert killer.struck_at is not None
    conn.close()

    check = plain_connect(url)
    # The batch being loaded rolled back whole, every fetch of it: items exist only for fetches marked processed.
    done = count(check, "SELECT count(*) FROM fetches WHERE processed_at IS NOT NULL")
    assert done == killer.struck_at and count(check, "SELECT count(*) FROM items") == ITEMS * done
    assert done % BATCH == 0 and (done < FEEDS) == (moment == "load")
    assert count(check, "SELECT count(*) FROM items i JOIN fetches f ON f.id = i.fetch_id "
                        "WHERE f.processed_at IS NULL") == 0

    conn = db.connect(url)  # the retry: a new task attempt, a new connection
    retried = pipeline.process_pending(conn)
    assert retried.fetches == FEEDS - done and retried.items_new == ITEMS * retried.fetches
    landed = snapshot(conn)
    conn.close()
    check.close()
    assert landed == run_clean(make_db(), registry)
    assert landed["items"] == landed["distinct_keys"] == FEEDS * ITEMS and landed["unprocessed"] == 0


def test_backend_terminated_mid_fetch_then_retry(make_db, feed_server, tmp_path):
    registry = _feeds(feed_server, tmp_path)
    url = make_db()
    conn = db.connect(url)
    unthrottle(conn, ["127.0.0.1"])
    pipeline.sync_registry(conn, registry)
    killer = Killer(url, "%INSERT INTO fetches%", _terminate, after=0)
    killer.start()
    with pytest.raises((psycopg2.OperationalError, psycopg2.InterfaceError)):
        fetch_all(conn)
    killer.join(5)
    conn.close()

    conn = db.connect(url)
    # The dead session's host slots (advisory locks) went with it: the retry is not kept off the host.
    retried = fetch_all(conn)
    assert retried.deferred == 0 and retried.failed == 0
    pipeline.process_pending(conn)
    landed = snapshot(conn)
    conn.close()
    assert landed == run_clean(make_db(), registry)
    assert landed["items"] == landed["distinct_keys"] == FEEDS * ITEMS


@pytest.fixture
def own_server(tmp_path):
    """An embedded PostgreSQL of this test's own, which it may restart (never the machine's shared server)."""
    url = db.embedded_url(tmp_path / "pg", database="wirefeed")
    server = db._embedded[str(tmp_path / "pg")]
    conn = psycopg2.connect(url)
    db.migrate(conn)
    conn.close()
    yield url, server
    # pgserver's own cleanup knows the postmaster it started, not the one the restart left running.
    pgserver.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user, timeout=60)


def test_server_restarted_mid_load_then_retry(own_server, make_db, feed_server, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "BATCH_FETCHES", BATCH)
    url, server = own_server
    registry = _feeds(feed_server, tmp_path)
    conn = _landed(url, registry)

    def restart(cur, pid):
        pgserver.pg_ctl(["-w", "-m", "fast", "restart"], pgdata=server.pgdata, user=server.system_user, timeout=60)

    killer = Killer(url, MOMENTS["load"], restart, hold=HOLD["load"])
    killer.start()
    with pytest.raises(psycopg2.OperationalError):
        pipeline.process_pending(conn)
    killer.join(90)
    assert killer.struck_at is not None
    conn.close()

    conn = db.connect(url)  # the server is back: the retry connects and finishes the work
    # pg_ctl takes a moment to stop the server: a batch more may commit, but never half of one.
    done = count(conn, "SELECT count(*) FROM fetches WHERE processed_at IS NOT NULL")
    assert done >= killer.struck_at and count(conn, "SELECT count(*) FROM items") == ITEMS * done
    assert done % BATCH == 0
    retried = pipeline.process_pending(conn)
    assert retried.fetches == FEEDS - done
    landed = snapshot(conn)
    conn.close()
    assert landed == run_clean(make_db(), registry)
    assert landed["items"] == landed["distinct_keys"] == FEEDS * ITEMS
