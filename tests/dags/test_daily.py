"""wirefeed_daily: re-processing days is order-independent and idempotent; broken days fail loudly."""
from datetime import datetime, timedelta, timezone

import pytest

from wirefeed import daily, demo, load, pipeline, quality
from wirefeed.errors import WirefeedError
from wirefeed.identity import sha256_hex
from wirefeed.models import Feed, Fetch
from wirefeed.quality import QualityError

from tests.conftest import ROOT, SHARED, count
from tests.dags.airflow_probe import run_probe

TRIBUNE = (ROOT / "samples" / "tribune-world.xml").read_bytes()
COURIER = (ROOT / "samples" / "dailycourier-world.atom").read_bytes()
SEED = sorted((SHARED / "seed").glob("*.txt"))[0].read_bytes()
# Day two's edition of the Tribune feed: one story rewritten.
TRIBUNE_EDITED = TRIBUNE.replace(b"emphasizing the growing security", b"stressing the growing security", 1)
ERROR_PAGE = b'<?xml version="1.0"?><error>quota exceeded</error>'
TABLES = ("feeds", "fetches", "items", "item_aliases", "item_versions", "stories", "story_items",
          "item_fingerprints", "item_bands")


def day(n: int) -> tuple[datetime, datetime]:
    start = datetime(2025, 5, 19, tzinfo=timezone.utc) + timedelta(days=n)
    return start, start + timedelta(days=1)


def land(conn, feed_id, body, at):
    fetch = Fetch(url=f"http://example.test/{feed_id}", status=200, body=body, content_hash=sha256_hex(body),
                  fetched_at=at)
    return load.record_fetch(conn, feed_id, fetch)


def three_days(conn):
    """Tribune on days 0 and 1 (edited), the Courier on day 1 and a wire text on day 2, the last two never
    processed by the event path."""
    ids = load.upsert_feeds(conn, [Feed(url="http://t.test/rss", name="Tribune", outlet="The Tribune"),
                                   Feed(url="http://c.test/atom", name="Courier", outlet="Daily Courier"),
                                   Feed(url="http://w.test/wire", name="Wire", outlet="Wire desk")])
    land(conn, ids["http://t.test/rss"], TRIBUNE, day(0)[0] + timedelta(hours=6))
    pipeline.process_pending(conn)
    land(conn, ids["http://t.test/rss"], TRIBUNE_EDITED, day(1)[0] + timedelta(hours=6))
    pipeline.process_pending(conn)
    land(conn, ids["http://c.test/atom"], COURIER, day(1)[0] + timedelta(hours=9))
    land(conn, ids["http://w.test/wire"], SEED, day(2)[0] + timedelta(hours=1))


def snapshot(conn) -> dict:
    with conn.cursor() as cur:
        out = {}
        for table in TABLES:
            cur.execute(f"SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY to_jsonb(t)::text), '[]') FROM {table} t")
            out[table] = cur.fetchone()[0]
    conn.commit()
    return out


def run_day(conn, n):
    start, end = day(n)
    counts = daily.reprocess_interval(conn, start, end)
    daily.recluster_interval(conn, start, end)
    quality.check_interval(conn, start, end)
    return counts


def test_three_days_rerun_in_any_order_give_identical_tables(conn):
    three_days(conn)
    first = [run_day(conn, n) for n in (0, 1, 2)]
    # Day 0 no longer owns the story edited on day 1: re-running it must not roll the edit back.
    assert first[0].reparsed == 1 and first[0].items_superseded == 1 and first[0].items_updated == 0
    assert (first[1].first_time, first[2].first_time) == (1, 1)
    assert count(conn, "SELECT count(*) FROM fetches WHERE processed_at IS NULL") == 0
    assert count(conn, "SELECT count(*) FROM items WHERE text LIKE '%%stressing the growing security%%'") == 1
    assert count(conn, "SELECT count(*) FROM items i LEFT JOIN story_items s ON s.item_id = i.id "
                       "WHERE s.item_id IS NULL") == 0
    before = snapshot(conn)
    for n in (2, 0, 1, 0):
        again = run_day(conn, n)
        assert again.first_time == again.items_new == again.items_updated == 0
    assert snapshot(conn) == before


def test_broken_day_fails_with_the_reason(conn):
    feed_id = load.upsert_feeds(conn, [Feed(url="http://b.test/rss", name="Broken")])["http://b.test/rss"]
    start, end = day(0)
    land(conn, feed_id, TRIBUNE, start + timedelta(hours=1))
    # Before processing, the landed body counts as never processed.
    with pytest.raises(QualityError, match="unprocessed_fetches: 1 of 1"):
        quality.check_interval(conn, start, end)
    for n in range(3):  # a publisher's error document served as the feed, every hour
        land(conn, feed_id, ERROR_PAGE, start + timedelta(hours=n + 2))
    daily.reprocess_interval(conn, start, end)
    with pytest.raises(QualityError, match="parse_errors: 3 of 4 bodies failed to parse"):
        quality.check_interval(conn, start, end)


@pytest.mark.airflow
def test_daily_dag_in_airflow_processes_its_day_then_fails_loudly(db_url, conn, tmp_path):
    # (Passing runs in a real scheduler: the backfill test in test_ui_airflow.py.)
    three_days(conn)
    feed_id = count(conn, "SELECT id FROM feeds WHERE name = 'Courier'")
    for n in range(3):  # the Courier served an error document instead of its feed three times that day
        land(conn, feed_id, ERROR_PAGE, day(1)[0] + timedelta(hours=n))
    env = demo.airflow_env(db_url, AIRFLOW_HOME=str(tmp_path / "airflow"), WIREFEED_START_DATE="2025-05-01")
    (tmp_path / "airflow").mkdir()
    log = tmp_path / "airflow.log"
    demo.run_airflow(["db", "migrate"], env, log)
    # The run at 2025-05-21 covers its data interval, the day before.
    with pytest.raises(WirefeedError, match="failed"):
        demo.run_airflow(["dags", "test", "wirefeed_daily", "2025-05-21"], env, log)
    text = log.read_text()
    assert "data quality failed for 2025-05-20 00:00..2025-05-21 00:00 UTC: parse_errors: 3 of 5 bodies" in text
    # The day was processed before the checks judged it: the Courier fetch the event path missed, and the
    # error documents; the next day's fetch is not this run's business.
    assert count(conn, "SELECT count(*) FROM fetches WHERE fetched_at < '2025-05-21' AND processed_at IS NULL") == 0
    assert count(conn, "SELECT count(*) FROM fetches WHERE processed_at IS NULL") == 1
    assert count(conn, "SELECT count(*) FROM items i JOIN story_items s ON s.item_id = i.id "
                       "WHERE i.feed_id = %s", feed_id) == 3


DAG_PROBE = r"""
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
process, daily = bag.dags["wirefeed_process"], bag.dags["wirefeed_daily"]
assets = list(process.timetable.asset_condition.objects)
print(json.dumps({
    "errors": {k: str(v) for k, v in bag.import_errors.items()},
    "watchers": [(a.name, w.name, w.trigger.serialize()[0]) for a in assets for w in a.watchers],
    "daily": [type(daily.timetable).__name__, daily.catchup, daily.max_active_runs, str(daily.start_date)],
}))
"""


def test_dags_load_with_the_watcher_and_a_daily_interval(tmp_path):
    result = run_probe(DAG_PROBE, tmp_path, WIREFEED_START_DATE="2025-05-01")
    assert result["errors"] == {}
    assert result["watchers"] == [["wirefeed_raw_fetches", "wirefeed_fetches_notify",
                                   "wirefeed.airflow.triggers.FetchesLandedTrigger"]]
    assert result["daily"] == ["CronDataIntervalTimetable", True, 3, "2025-05-01 00:00:00+00:00"]
