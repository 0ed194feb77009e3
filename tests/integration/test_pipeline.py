"""A local HTTP feed through fetch, parse, clean and load into PostgreSQL rows."""
import pytest

from wirefeed import db, pipeline
from wirefeed.errors import DatabaseUnavailable

from tests.conftest import ROOT, count

SAMPLES = ROOT / "samples"


@pytest.fixture
def feeds_file(tmp_path, httpserver, monkeypatch):
    """A registry of the two sample feeds plus one broken and one missing feed, all on a local server."""
    monkeypatch.setenv("WIREFEED_ALLOW_PRIVATE", "1")
    for name, ctype in (("tribune-world.xml", "application/rss+xml"), ("dailycourier-world.atom", "application/atom+xml")):
        httpserver.expect_request(f"/{name}").respond_with_data((SAMPLES / name).read_bytes(), content_type=ctype)
    httpserver.expect_request("/broken.xml").respond_with_data(b"<html><body>not a feed", content_type="text/html")
    httpserver.expect_request("/gone.xml").respond_with_data("gone", status=500)
    base = httpserver.url_for("")
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds:\n" + "".join(f"  - url: {base}{n}\n    outlet: {n.split('-')[0]}\n"
                                         for n in ("tribune-world.xml", "dailycourier-world.atom", "broken.xml", "gone.xml")))
    return path


def run_once(conn, feeds_file):
    pipeline.sync_registry(conn, feeds_file)
    fetched = pipeline.fetch_feeds(conn, [i for b in pipeline.plan_fetch_batches(conn, force=True) for i in b])
    processed = pipeline.process_pending(conn)
    return fetched, processed


def test_feed_to_rows_and_rerun_adds_nothing(conn, feeds_file):
    fetched, processed = run_once(conn, feeds_file)
    assert fetched.feeds == 4 and fetched.failed == 1  # the HTTP 500
    assert processed.items_new == 6
    assert count(conn, "SELECT count(*) FROM items") == 6
    assert count(conn, "SELECT count(*) FROM items WHERE published_at IS NOT NULL AND text <> ''") == 6
    # The broken feed and the failing one keep their error on the feeds row; the others have none.
    assert count(conn, "SELECT count(*) FROM feeds WHERE last_error IS NOT NULL") == 2
    assert count(conn, "SELECT count(*) FROM feeds WHERE last_error LIKE 'HTTP 500%%' AND error_count = 1") == 1
    assert count(conn, "SELECT count(*) FROM fetches") == 4

    fetched, processed = run_once(conn, feeds_file)
    assert processed.items_new == 0 and count(conn, "SELECT count(*) FROM items") == 6
    assert fetched.unchanged == 3  # same bytes: landed without a body, not re-parsed


def test_batches_stay_under_max_map_length(conn):
    with conn.cursor() as cur:
        cur.execute("INSERT INTO feeds (url, name) SELECT 'https://f' || g || '.example/rss', 'f' FROM generate_series(1, 5000) g")
    conn.commit()
    batches = pipeline.plan_fetch_batches(conn, batch_size=2, max_batches=100)
    assert len(batches) == 100 and sum(map(len, batches)) == 5000


def test_database_down_is_one_clear_error():
    with pytest.raises(DatabaseUnavailable, match="cannot connect to PostgreSQL at postgresql://u:\\*\\*\\*@127.0.0.1:1/x"):
        db.connect("postgresql://u:secret@127.0.0.1:1/x")
