"""Chaos fixtures: fresh databases on demand, loopback feed servers, and the table snapshot every test compares."""
from __future__ import annotations

import uuid
from pathlib import Path

import psycopg2
import pytest

from wirefeed import db, pipeline

from tests.chaos.feedserver import FeedServer
from tests.conftest import _admin, _with_database


@pytest.fixture(autouse=True)
def _private_ok(monkeypatch):
    """The feed servers live on loopback, which the SSRF guard refuses unless told otherwise."""
    monkeypatch.setenv("WIREFEED_ALLOW_PRIVATE", "1")


@pytest.fixture
def make_db(pg_server_url, pg_template):
    """A factory of fresh migrated databases (the chaos run's and the clean run's); all dropped afterwards."""
    names = []

    def make() -> str:
        name = f"wf_chaos_{uuid.uuid4().hex[:10]}"
        admin = _admin(pg_server_url)
        admin.cursor().execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
        admin.close()
        names.append(name)
        return _with_database(pg_server_url, name)

    yield make
    admin = _admin(pg_server_url)
    for name in names:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def server():
    """A feed server on 127.0.0.1."""
    srv = FeedServer("127.0.0.1", slow_s=2.0)
    yield srv
    srv.close()


def write_registry(path: Path, urls: list[str], **settings) -> Path:
    """A feeds.yaml listing the URLs (outlet = its position), with the same fetch settings for each."""
    extra = "".join(f"\n    {k}: {v}" for k, v in settings.items())
    path.write_text("feeds:\n" + "".join(f"  - url: {u}\n    outlet: outlet{n}{extra}\n" for n, u in enumerate(urls)))
    return path


def unthrottle(conn, hosts, *, max_concurrency: int | None = None, min_interval_s: float = 0.0) -> None:
    """Per-host politeness overrides, so a test's many feeds on one loopback host need not wait 1 s apiece."""
    with conn.cursor() as cur:
        for host in hosts:
            cur.execute("""INSERT INTO hosts (host, max_concurrency, min_interval_s) VALUES (%s, %s, %s)
                           ON CONFLICT (host) DO UPDATE SET max_concurrency = EXCLUDED.max_concurrency,
                               min_interval_s = EXCLUDED.min_interval_s""", (host, max_concurrency, min_interval_s))
    conn.commit()


def fetch_all(conn) -> pipeline.RunCounts:
    """fetch_feeds over every planned batch (forced), in one call."""
    return pipeline.fetch_feeds(conn, [i for batch in pipeline.plan_fetch_batches(conn, force=True) for i in batch])


def run_clean(url: str, registry: Path, hosts=("127.0.0.1",)) -> dict:
    """The reference: sync, fetch and process once on a fresh database with nothing going wrong."""
    conn = db.connect(url)
    try:
        unthrottle(conn, hosts)
        pipeline.sync_registry(conn, registry)
        fetch_all(conn)
        pipeline.process_pending(conn)
        return snapshot(conn)
    finally:
        conn.close()


def snapshot(conn) -> dict:
    """Row counts and checksums of what landed, independent of ids (so two databases compare)."""
    with conn.cursor() as cur:
        cur.execute("""
            SELECT (SELECT count(*) FROM items), (SELECT count(DISTINCT (feed_id, identity)) FROM items),
                   (SELECT md5(COALESCE(string_agg(f.url || '|' || i.identity || '|' || i.content_hash, ','
                                                   ORDER BY f.url, i.identity), ''))
                      FROM items i JOIN feeds f ON f.id = i.feed_id),
                   (SELECT count(*) FROM stories), (SELECT count(*) FROM stories WHERE item_count = 0),
                   (SELECT count(*) FROM story_items), (SELECT count(*) FROM item_fingerprints),
                   (SELECT count(*) FROM item_aliases), (SELECT count(*) FROM item_versions),
                   (SELECT count(*) FROM fetches WHERE body IS NOT NULL AND processed_at IS NULL)""")
        (items, keys, items_md5, stories, empty_stories, story_items, fingerprints, aliases, versions,
         unprocessed) = cur.fetchone()
        # A story is its set of member items: the checksum names members by (feed url, identity), not ids.
        cur.execute("""
            SELECT md5(COALESCE(string_agg(members, ';' ORDER BY members), '')) FROM (
                SELECT string_agg(f.url || '|' || i.identity, ',' ORDER BY f.url, i.identity) AS members
                  FROM story_items si JOIN items i ON i.id = si.item_id JOIN feeds f ON f.id = i.feed_id
                 GROUP BY si.story_id) s""")
        stories_md5 = cur.fetchone()[0]
    conn.commit()
    return dict(items=items, distinct_keys=keys, items_md5=items_md5, stories=stories, empty_stories=empty_stories,
                story_items=story_items, fingerprints=fingerprints, aliases=aliases, versions=versions,
                unprocessed=unprocessed, stories_md5=stories_md5)


def plain_connect(url: str):
    """A connection without the pipeline's application_name (so killer threads never pick it)."""
    return psycopg2.connect(url, application_name="wirefeed-chaos")
