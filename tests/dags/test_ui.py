"""The Feeds and Stories pages: real warehouse content, and Airflow's auth in front of them."""
from datetime import datetime, timezone

from fastapi.testclient import TestClient

from wirefeed import load, pipeline
from wirefeed.airflow.ui import create_app
from wirefeed.identity import sha256_hex
from wirefeed.models import Feed, Fetch

from tests.conftest import ROOT, SHARED

SAMPLES = {"http://tribune.test/world.xml": ("Tribune World", "The Tribune", ROOT / "samples" / "tribune-world.xml"),
           "http://courier.test/world.atom": ("Courier World", "Daily Courier",
                                              ROOT / "samples" / "dailycourier-world.atom"),
           "http://wire.test/seed.txt": ("Wire desk", "Wire desk", sorted((SHARED / "seed").glob("*.txt"))[0])}


def newsroom(conn) -> None:
    """Three outlets' feeds landed and processed, plus one feed that keeps failing."""
    ids = load.upsert_feeds(conn, [Feed(url=url, name=name, outlet=outlet) for url, (name, outlet, _) in SAMPLES.items()]
                            + [Feed(url="http://down.test/rss", name="Gazette <Down>")])
    for url, (_, _, path) in SAMPLES.items():
        body = path.read_bytes()
        load.record_fetch(conn, ids[url], Fetch(url=url, status=200, body=body, content_hash=sha256_hex(body),
                                                fetched_at=datetime.now(timezone.utc)))
    for _ in range(2):
        load.record_fetch(conn, ids["http://down.test/rss"],
                          Fetch(url="http://down.test/rss", error="HTTP 503 <script>alert(1)</script>",
                                error_kind="http", status=503, fetched_at=datetime.now(timezone.utc)))
    pipeline.process_pending(conn)


def signed_in(app):
    """A client past the auth dependency (its real check is exercised against a running api-server)."""
    auth = app.router.dependencies[0].dependency
    app.dependency_overrides[auth] = lambda: None
    return TestClient(app)


def test_anonymous_requests_are_refused(db_url):
    client = TestClient(create_app(lambda: db_url))
    for path in ("/", "/feeds", "/stories"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert "Tribune" not in response.text


def test_feeds_page_shows_every_feed_state(db_url, conn):
    newsroom(conn)
    page = signed_in(create_app(lambda: db_url)).get("/feeds")
    assert page.status_code == 200
    html = page.text
    assert "Feeds (4)" in html
    for name in ("Tribune World", "Courier World", "Wire desk"):
        assert name in html
    # The failing feed comes first among enabled feeds, with its error escaped, not executed.
    assert html.index("Gazette &lt;Down&gt;") < html.index("Courier World")
    assert 'class="failing">failing' in html and "HTTP 503 &lt;script&gt;" in html and "<script>" not in html
    assert "ANI" in html  # the wire story's agency among the top agencies


def test_stories_page_lists_the_days_syndicated_story_and_outlets(db_url, conn):
    newsroom(conn)
    client = signed_in(create_app(lambda: db_url))
    html = client.get("/stories", params={"day": "2025-05-20"}).text
    title = "Israeli, Azerbaijani Defence Ministers highlight"
    assert title in html
    story = html[html.index(title):].split('<div class="story">')[0]
    assert "The Tribune" in story and "Wire desk" in story
    assert "ANI" in story
    assert "No stories first published" in client.get("/stories", params={"day": "2001-01-01"}).text
    assert client.get("/stories", params={"day": "yesterday"}).status_code == 400
