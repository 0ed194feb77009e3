"""fetch_feeds against local servers and a real PostgreSQL: landing, feed state, hostile servers, politeness, scale."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import psycopg2
import pytest
from werkzeug import Response

from tests.conftest import count
from tests.unit.test_fetch_http import RawServer, bomb, read_head
from wirefeed import load, pipeline
from wirefeed.db import dict_cursor
from wirefeed.fetch import Fetcher
from wirefeed.models import Feed
from wirefeed.politeness import HostGate

RSS = (b"<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title><ttl>120</ttl>"
       b"<item><guid>a1</guid><title>Story one</title><description>NEW DELHI (ANI): One.</description></item>"
       b"<item><guid>a2</guid><title>Story two</title><description>MUMBAI (PTI): Two.</description></item>"
       b"</channel></rss>")


def add_feeds(conn, *urls, settings=None) -> list[int]:
    ids = load.upsert_feeds(conn, [Feed(url=u, name=u, settings=settings or {}) for u in urls])
    return [ids[u] for u in urls]


def run(conn, ids, **kw):
    """One fetch run as a task does it, with the local servers admitted and no politeness delay."""
    with Fetcher(allow_private=True) as fetcher:
        return pipeline.fetch_feeds(conn, ids, fetcher=fetcher, gate=kw.pop("gate", HostGate(conn, min_interval_s=0)), **kw)


def feed_row(conn, feed_id) -> dict:
    with dict_cursor(conn) as cur:
        cur.execute("SELECT * FROM feeds WHERE id = %s", (feed_id,))
        row = dict(cur.fetchone())
    conn.commit()
    return row


def fetch_rows(conn, feed_id) -> list[dict]:
    with dict_cursor(conn) as cur:
        cur.execute("SELECT * FROM fetches WHERE feed_id = %s ORDER BY id", (feed_id,))
        rows = [dict(r) for r in cur.fetchall()]
    conn.commit()
    return rows


def test_conditional_get_round_trip_lands_once_and_then_skips(conn, httpserver):
    seen = []

    def handler(request):
        seen.append(request.headers.get("If-None-Match"))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(RSS, headers={"ETag": '"v1"'}, content_type="application/rss+xml")

    httpserver.expect_request("/feed").respond_with_handler(handler)
    (fid,) = add_feeds(conn, httpserver.url_for("/feed"))
    first = run(conn, [fid])
    second = run(conn, [fid])
    assert (first.fetched, first.unchanged, second.fetched, second.unchanged) == (1, 0, 0, 1)
    assert seen == [None, '"v1"']
    rows = fetch_rows(conn, fid)
    assert rows[0]["status"] == 200 and rows[0]["body"] is not None and rows[0]["remote_addr"] == "127.0.0.1"
    assert rows[1]["status"] == 304 and rows[1]["not_modified"] and rows[1]["body"] is None
    assert rows[1]["processed_at"] is not None  # nothing to parse: never queued
    feed = feed_row(conn, fid)
    assert feed["etag"] == '"v1"' and feed["error_count"] == 0 and feed["last_status"] == 304
    # The feed's own <ttl>120</ttl> (minutes) sets how long it is left alone.
    assert feed["publisher_interval_s"] == 7200 and feed["interval_s"] == 7200
    assert feed["next_fetch_at"] > datetime.now(timezone.utc) + timedelta(seconds=7000)
    pipeline.process_pending(conn)
    assert count(conn, "SELECT count(*) FROM items WHERE feed_id = %s", fid) == 2


def test_same_body_without_validators_is_not_stored_again(conn, httpserver):
    httpserver.expect_request("/feed").respond_with_data(RSS)
    (fid,) = add_feeds(conn, httpserver.url_for("/feed"))
    run(conn, [fid])
    again = run(conn, [fid])
    assert again.unchanged == 1
    rows = fetch_rows(conn, fid)
    assert rows[1]["content_hash"] == rows[0]["content_hash"] and rows[1]["body"] is None
    assert count(conn, "SELECT count(*) FROM fetches WHERE processed_at IS NULL AND body IS NOT NULL") == 1


def test_gone_disables_the_feed_but_keeps_it_listed(conn, httpserver):
    httpserver.expect_request("/feed").respond_with_data("gone", status=410)
    (fid,) = add_feeds(conn, httpserver.url_for("/feed"))
    counts = run(conn, [fid])
    feed = feed_row(conn, fid)
    assert counts.failed == 1 and not feed["enabled"] and "410" in feed["disabled_reason"]
    assert feed["last_error"] == "HTTP 410 Gone" and feed["disabled_at"] is not None
    assert count(conn, "SELECT count(*) FROM feeds") == 1
    assert pipeline.plan_fetch_batches(conn, force=True) == []


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_sets_the_next_fetch_and_pauses_the_host(conn, httpserver, status):
    httpserver.expect_request("/feed").respond_with_data("slow down", status=status, headers={"Retry-After": "600"})
    (fid,) = add_feeds(conn, httpserver.url_for("/feed"))
    before = datetime.now(timezone.utc)
    run(conn, [fid])
    feed = feed_row(conn, fid)
    assert feed["error_count"] == 1 and "Retry-After 600" in feed["last_error"]
    assert before + timedelta(seconds=595) <= feed["next_fetch_at"] <= before + timedelta(seconds=610)
    with conn.cursor() as cur:
        cur.execute("SELECT not_before FROM hosts WHERE host = 'localhost'")
        assert cur.fetchone()[0] >= before + timedelta(seconds=595)
    conn.commit()


def test_failures_back_off_and_count_up(conn, httpserver):
    httpserver.expect_request("/feed").respond_with_data("oops", status=500)
    (fid,) = add_feeds(conn, httpserver.url_for("/feed"))
    delays = []
    for _ in range(3):
        before = datetime.now(timezone.utc)
        run(conn, [fid])
        delays.append((feed_row(conn, fid)["next_fetch_at"] - before).total_seconds())
    feed = feed_row(conn, fid)
    assert feed["error_count"] == 3 and feed["last_error"].startswith("HTTP 500 Internal Server Error")
    assert 150 <= delays[0] <= 301 and 300 <= delays[1] <= 601 and 600 <= delays[2] <= 1201
    assert [r["error_kind"] for r in fetch_rows(conn, fid)] == ["http"] * 3
    httpserver.clear()
    httpserver.expect_request("/feed").respond_with_data(RSS)
    run(conn, [fid])
    feed = feed_row(conn, fid)
    assert feed["error_count"] == 0 and feed["last_error"] is None


def test_permanent_move_needs_two_sightings_and_then_fetches_the_new_address(conn, httpserver):
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(RSS)
    (fid,) = add_feeds(conn, httpserver.url_for("/old"))
    run(conn, [fid])
    assert feed_row(conn, fid)["fetch_url"] is None
    assert feed_row(conn, fid)["pending_redirect"] == httpserver.url_for("/new")
    run(conn, [fid])
    feed = feed_row(conn, fid)
    assert feed["fetch_url"] == httpserver.url_for("/new") and feed["pending_redirect"] is None
    assert feed["url"] == httpserver.url_for("/old")  # the registry key stays, so feeds.yaml still matches
    httpserver.clear_log()
    run(conn, [fid])
    assert [req.path for req, _ in httpserver.log] == ["/new"]
    assert fetch_rows(conn, fid)[0]["redirects"] == [[301, httpserver.url_for("/new")]]


@pytest.mark.parametrize("status", [302, 307])
def test_temporary_redirects_never_move_the_feed(conn, httpserver, status):
    httpserver.expect_request("/old").respond_with_data("", status=status, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(RSS)
    (fid,) = add_feeds(conn, httpserver.url_for("/old"))
    for _ in range(3):
        run(conn, [fid])
    feed = feed_row(conn, fid)
    assert feed["fetch_url"] is None and feed["pending_redirect"] is None


def _hostile(kind):
    """A server misbehaving in one way."""
    def serve(sock):
        read_head(sock)
        if kind == "gzip-bomb":
            payload = bomb("gzip", 64 * 1024 * 1024)
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload)
        elif kind == "chunked-flood":
            sock.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            while True:
                sock.sendall(b"10000\r\n" + b"<" * 65536 + b"\r\n")
        elif kind == "trickle":
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 99999\r\n\r\n")
            while True:
                sock.sendall(b"<")
                time.sleep(1)
        elif kind == "redirect-loop":
            sock.sendall(b"HTTP/1.1 301 Moved\r\nLocation: /feed?again\r\nContent-Length: 0\r\n\r\n")
            while read_head(sock):
                sock.sendall(b"HTTP/1.1 301 Moved\r\nLocation: /feed\r\nContent-Length: 0\r\n\r\n")
        elif kind == "metadata":
            sock.sendall(b"HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/latest/meta-data/\r\n"
                         b"Content-Length: 0\r\n\r\n")
        elif kind == "file":
            sock.sendall(b"HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n\r\n")
    return serve


@pytest.mark.parametrize("kind,error_kind", [("gzip-bomb", "too_large"), ("chunked-flood", "too_large"),
                                             ("trickle", "timeout"), ("redirect-loop", "redirect"),
                                             ("metadata", "blocked"), ("file", "blocked")])
def test_hostile_servers_are_recorded_as_failures_and_write_no_items(conn, kind, error_kind):
    with RawServer(_hostile(kind)) as server:
        (fid,) = add_feeds(conn, server.url(), settings={"timeout": 3})
        started = time.monotonic()
        counts = run(conn, [fid])
        assert time.monotonic() - started < 8
    assert counts.failed == 1
    (row,) = fetch_rows(conn, fid)
    assert row["error_kind"] == error_kind and row["error"] and row["body"] is None
    feed = feed_row(conn, fid)
    assert feed["error_count"] == 1 and feed["last_error"].startswith(row["error"]) and feed["enabled"]
    pipeline.process_pending(conn)
    assert count(conn, "SELECT count(*) FROM items") == 0


def test_per_feed_limits_and_bad_settings(conn, httpserver):
    httpserver.expect_request("/feed").respond_with_data(RSS)
    small, broken = add_feeds(conn, httpserver.url_for("/feed"), httpserver.url_for("/feed?b"))
    with conn.cursor() as cur:
        cur.execute("UPDATE feeds SET settings = '{\"max_bytes\": 100}' WHERE id = %s", (small,))
        cur.execute("UPDATE feeds SET settings = '{\"timeout\": \"soon\"}' WHERE id = %s", (broken,))
    conn.commit()
    counts = run(conn, [small, broken])
    assert counts.failed == 2
    assert fetch_rows(conn, small)[0]["error_kind"] == "too_large"
    assert fetch_rows(conn, broken)[0]["error_kind"] == "config"
    assert "bad fetch setting" in feed_row(conn, broken)["last_error"]


def test_the_guard_applies_in_the_pipeline(conn, httpserver):
    httpserver.expect_request("/feed").respond_with_data(RSS)
    (fid,) = add_feeds(conn, httpserver.url_for("/feed"))
    with Fetcher(allow_private=False) as fetcher:
        pipeline.fetch_feeds(conn, [fid], fetcher=fetcher, gate=HostGate(conn, min_interval_s=0))
    assert fetch_rows(conn, fid)[0]["error_kind"] == "blocked"
    assert len(httpserver.log) == 0


# --- politeness across parallel tasks ----------------------------------------------------------------------------


def test_host_slots_and_interval_are_shared_between_connections(conn, db_url):
    other = psycopg2.connect(db_url)
    try:
        one, two = HostGate(conn, max_concurrency=1, min_interval_s=0.3), HostGate(other, max_concurrency=1,
                                                                                   min_interval_s=0.3)
        lease, _ = one.try_acquire("news.example")
        assert lease is not None
        refused, wait = two.try_acquire("news.example")
        assert refused is None and 0 < wait <= 0.3
        assert two.try_acquire("other.example")[0] is not None  # other hosts are unaffected
        one.release(lease)
        refused, wait = two.try_acquire("news.example")
        assert refused is None and 0 < wait <= 0.3  # free slot, but the interval has not passed
        time.sleep(wait + 0.05)
        assert two.try_acquire("news.example")[0] is not None
    finally:
        other.close()


def test_per_host_override_in_the_hosts_table(conn, db_url):
    with conn.cursor() as cur:
        cur.execute("INSERT INTO hosts (host, max_concurrency, min_interval_s) VALUES ('big.example', 3, 0)")
    conn.commit()
    conns = [psycopg2.connect(db_url) for _ in range(4)]
    try:
        leases = [HostGate(c, max_concurrency=1)._take_slot("big.example") for c in conns]
        assert sum(lease is not None for lease in leases) == 3
    finally:
        for c in conns:
            c.close()


def test_parallel_tasks_respect_the_host_concurrency_limit_and_interval(conn, db_url):
    """Two fetch tasks at once over one host: the server never sees two requests together, nor ~0.2 s apart."""
    lock = threading.Lock()
    state = {"in_flight": 0, "max": 0, "starts": []}

    def serve(sock):
        while read_head(sock):
            with lock:
                state["in_flight"] += 1
                state["max"] = max(state["max"], state["in_flight"])
                state["starts"].append(time.monotonic())
            time.sleep(0.1)
            with lock:
                state["in_flight"] -= 1
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(RSS), RSS))

    with RawServer(serve) as server:
        ids = add_feeds(conn, *[server.url(f"/feed{n}") for n in range(8)])
        results = []

        def task(batch):
            task_conn = psycopg2.connect(db_url)
            try:
                with Fetcher(allow_private=True) as fetcher:
                    gate = HostGate(task_conn, max_concurrency=1, min_interval_s=0.2)
                    results.append(pipeline.fetch_feeds(task_conn, batch, fetcher=fetcher, gate=gate))
            finally:
                task_conn.close()

        threads = [threading.Thread(target=task, args=(ids[:4],)), threading.Thread(target=task, args=(ids[4:],))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert sum(r.fetched for r in results) == 8
    assert state["max"] == 1
    starts = sorted(state["starts"])
    # Turns are claimed when a request starts; the server sees it a connect later, hence a little slack.
    assert min(b - a for a, b in zip(starts, starts[1:])) >= 0.15


def test_feeds_on_different_hosts_are_fetched_in_parallel_within_a_task(conn):
    lock = threading.Lock()
    state = {"in_flight": 0, "max": 0}

    def serve(sock):
        while read_head(sock):
            with lock:
                state["in_flight"] += 1
                state["max"] = max(state["max"], state["in_flight"])
            time.sleep(0.5)
            with lock:
                state["in_flight"] -= 1
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(RSS), RSS))

    with RawServer(serve) as server:
        ids = add_feeds(conn, *[f"http://outlet{n}.test:{server.port}/feed" for n in range(6)])
        started = time.monotonic()
        with Fetcher(allow_private=True, resolver=lambda host, port: ["127.0.0.1"]) as fetcher:
            counts = pipeline.fetch_feeds(conn, ids, fetcher=fetcher, gate=HostGate(conn), workers=6)
        elapsed = time.monotonic() - started
    assert counts.fetched == 6 and count(conn, "SELECT count(*) FROM fetches WHERE body IS NOT NULL") == 6
    assert state["max"] >= 3 and elapsed < 2.5, (state, elapsed)


def test_one_task_never_exceeds_a_hosts_limit_with_its_own_workers(conn):
    lock = threading.Lock()
    state = {"in_flight": 0, "max": 0}

    def serve(sock):
        while read_head(sock):
            with lock:
                state["in_flight"] += 1
                state["max"] = max(state["max"], state["in_flight"])
            time.sleep(0.2)
            with lock:
                state["in_flight"] -= 1
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(RSS), RSS))

    with RawServer(serve) as server:
        ids = add_feeds(conn, *[server.url(f"/feed{n}") for n in range(6)])
        counts = run(conn, ids, gate=HostGate(conn, max_concurrency=2, min_interval_s=0), workers=6)
    assert counts.fetched == 6 and state["max"] == 2


def test_a_host_busy_past_the_wait_limit_leaves_the_feed_due(conn, db_url, httpserver):
    httpserver.expect_request("/feed").respond_with_data(RSS)
    (fid,) = add_feeds(conn, httpserver.url_for("/feed"))
    holder = psycopg2.connect(db_url)
    try:
        lease, _ = HostGate(holder, max_concurrency=1).try_acquire("localhost")
        counts = run(conn, [fid], gate=HostGate(conn, max_concurrency=1), max_wait_s=0.5)
        assert lease is not None and counts.deferred == 1 and counts.fetched == 0
        assert fetch_rows(conn, fid) == [] and len(httpserver.log) == 0
        assert pipeline.plan_fetch_batches(conn) == [[fid]]  # still due: the next run takes it
    finally:
        holder.close()


# --- scale -----------------------------------------------------------------------------------------------------


def test_100k_due_feeds_fit_airflows_default_max_map_length(conn):
    with conn.cursor() as cur:
        cur.execute("""INSERT INTO feeds (url, name)
                       SELECT 'https://host' || (n % 5000) || '.example/feed/' || n, 'feed ' || n
                       FROM generate_series(1, 100000) AS n""")
    conn.commit()
    batches = pipeline.plan_fetch_batches(conn)
    assert len(batches) <= 1024
    flat = [i for batch in batches for i in batch]
    assert len(flat) == len(set(flat)) == 100_000
    assert count(conn, "SELECT count(*) FROM feeds") == 100_000
    # Grouped by host: a host's 20 feeds sit in one batch, not spread over twenty tasks.
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM feeds WHERE url LIKE 'https://host42.example/%'")
        host42 = {row[0] for row in cur.fetchall()}
    conn.commit()
    assert sum(1 for batch in batches if host42 & set(batch)) <= 2
