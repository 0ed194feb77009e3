"""The NOTIFY trigger fires once per burst of landed fetches, and on nothing else."""
import asyncio
from datetime import datetime, timezone

import psycopg2

from wirefeed import load
from wirefeed.airflow.triggers import FetchesLandedTrigger
from wirefeed.models import Feed, Fetch


def _land(db_url, feed_id, body):
    """Land one fetch the way the fetch stage does (its own connection, committed)."""
    conn = psycopg2.connect(db_url)
    fetch = Fetch(url="http://example.test/feed", status=200, body=body, content_hash=str(hash(body)),
                  fetched_at=datetime.now(timezone.utc))
    fetch_id = load.record_fetch(conn, feed_id, fetch)
    conn.close()
    return fetch_id


async def _collect(trigger, action, wait_s):
    """Start the trigger, run `action` once it listens, and gather its events for `wait_s` seconds."""
    events = []

    async def consume():
        async for event in trigger.run():
            events.append(event)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.5)  # let it connect and LISTEN
    await asyncio.to_thread(action)
    await asyncio.sleep(wait_s)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    return events


def test_one_event_per_burst_of_landings(db_url, conn, monkeypatch):
    monkeypatch.setenv("WIREFEED_DATABASE_URL", db_url)
    feed_id = load.upsert_feeds(conn, [Feed(url="http://example.test/feed", name="Example")])["http://example.test/feed"]
    trigger = FetchesLandedTrigger(settle_s=0.5)

    def land_three():
        for n in range(3):
            last = _land(db_url, feed_id, f"<rss>{n}</rss>".encode())
        land_three.last = last

    events = asyncio.run(_collect(trigger, land_three, 2.0))
    assert len(events) == 1
    assert events[0].payload == {"channel": "wirefeed_fetches", "notifications": 3, "fetches": 3,
                                 "last_id": land_three.last}


def test_silent_without_notify_and_for_bodiless_fetches(db_url, conn, monkeypatch):
    monkeypatch.setenv("WIREFEED_DATABASE_URL", db_url)
    feed_id = load.upsert_feeds(conn, [Feed(url="http://example.test/feed", name="Example")])["http://example.test/feed"]
    # A body already waiting is a condition that stays true: the trigger must not fire on it.
    _land(db_url, feed_id, b"<rss>waiting</rss>")

    def land_failure_and_rollback():
        c = psycopg2.connect(db_url)
        load.record_fetch(c, feed_id, Fetch(url="http://example.test/feed", error="timeout", error_kind="timeout",
                                            fetched_at=datetime.now(timezone.utc)))
        with c.cursor() as cur:  # a landing rolled back is never announced
            cur.execute("INSERT INTO fetches (feed_id, url, body) VALUES (%s, 'x', 'x')", (feed_id,))
        c.rollback()
        c.close()

    assert asyncio.run(_collect(FetchesLandedTrigger(settle_s=0.3), land_failure_and_rollback, 1.5)) == []


def test_serializes_without_credentials():
    classpath, kwargs = FetchesLandedTrigger().serialize()
    assert classpath == "wirefeed.airflow.triggers.FetchesLandedTrigger"
    assert FetchesLandedTrigger(**kwargs).serialize() == (classpath, kwargs)
    assert "url" not in kwargs and all("://" not in str(v) for v in kwargs.values())


def test_a_lost_connection_is_reopened_and_missed_landings_handed_over(db_url, conn, monkeypatch):
    monkeypatch.setenv("WIREFEED_DATABASE_URL", db_url)
    feed_id = load.upsert_feeds(conn, [Feed(url="http://example.test/feed", name="Example")])["http://example.test/feed"]

    def drop_connection_then_land():
        c = psycopg2.connect(db_url)
        c.autocommit = True
        with c.cursor() as cur:  # as a server restart or a failover would
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'wirefeed-trigger'")
        c.close()
        _land(db_url, feed_id, b"<rss>while nobody listened</rss>")  # its NOTIFY reaches no one

    events = asyncio.run(_collect(FetchesLandedTrigger(settle_s=0.3, reconnect_s=1.0), drop_connection_then_land, 3.0))
    assert [e.payload for e in events] == [{"channel": "wirefeed_fetches", "reconnected": True, "fetches": 1}]
