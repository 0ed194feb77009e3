"""A past interval's run walks a feed's archive back to it: RFC 5005 prev-archive links and WordPress ?paged=N."""
from datetime import datetime, timezone

import pytest

from wirefeed import history, load, pipeline
from wirefeed.fetch import Fetcher
from wirefeed.identity import sha256_hex
from wirefeed.models import Feed, Fetch

from tests.conftest import count

START = datetime(2025, 5, 19, tzinfo=timezone.utc)


def atom(entries, prev=None):
    """An Atom document with one entry per (id, ISO date), linking its previous archive page."""
    link = f'<link rel="prev-archive" href="{prev}"/>' if prev else ""
    body = "".join(f"<entry><id>urn:x:{i}</id><title>Story {i}</title><updated>{d}</updated>"
                   f"<content>Story {i} told at length for the archive test.</content></entry>" for i, d in entries)
    return (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Archive</title>'
            f"<id>urn:feed</id><updated>2025-05-22T00:00:00Z</updated>{link}{body}</feed>").encode()


def rss_wordpress(entries):
    items = "".join(f"<item><guid>wp-{i}</guid><title>Post {i}</title><pubDate>{d}</pubDate>"
                    f"<description>Post {i} body text.</description></item>" for i, d in entries)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>WP</title>'
            f"<generator>https://wordpress.org/?v=6.5</generator>{items}</channel></rss>").encode()


@pytest.fixture
def fetcher(monkeypatch):
    monkeypatch.setenv("WIREFEED_ALLOW_PRIVATE", "1")  # the archive is served on loopback
    with Fetcher() as f:
        yield f


def register(conn, url, body):
    """A feed whose current document was fetched (and processed) today."""
    feed_id = load.upsert_feeds(conn, [Feed(url=url, name=url)])[url]
    fetch_id = load.record_fetch(conn, feed_id, Fetch(url=url, status=200, body=body, content_hash=sha256_hex(body),
                                                      fetched_at=datetime.now(timezone.utc)))
    pipeline.process_fetch(conn, fetch_id)
    return feed_id


def test_rfc5005_archive_is_walked_back_to_the_interval_once(conn, httpserver, fetcher):
    pages = {"/archive/3": atom([(5, "2025-05-21T08:00:00Z")], prev="/archive/2"),
             "/archive/2": atom([(4, "2025-05-20T08:00:00Z"), (3, "2025-05-19T08:00:00Z")], prev="/archive/1"),
             "/archive/1": atom([(2, "2025-05-18T08:00:00Z"), (1, "2025-05-17T08:00:00Z")], prev="/archive/0")}
    for path, body in pages.items():
        httpserver.expect_request(path).respond_with_data(body, content_type="application/atom+xml")
    current = atom([(6, "2025-05-22T08:00:00Z")], prev=httpserver.url_for("/archive/3"))
    feed_id = register(conn, httpserver.url_for("/feed"), current)

    counts = history.fetch_history(conn, START, fetcher=fetcher)
    # Pages 3, 2 and 1 (the first reaching back past the 19th); page 0 is never asked for.
    assert (counts.feeds, counts.pages, counts.landed, counts.items_new, counts.errors) == (1, 3, 3, 5, 0)
    assert count(conn, "SELECT count(*) FROM items WHERE feed_id = %s", feed_id) == 6
    assert count(conn, "SELECT count(*) FROM fetches WHERE headers ? 'x-wirefeed-archive'") == 3
    assert count(conn, "SELECT count(*) FROM fetches WHERE processed_at IS NULL") == 0
    # The feed's own state still describes its live document, not the archive.
    assert count(conn, "SELECT count(*) FROM feeds WHERE id = %s AND last_hash = %s", feed_id, sha256_hex(current)) == 1

    again = history.fetch_history(conn, START, fetcher=fetcher)
    assert (again.feeds, again.pages, again.landed) == (0, 0, 0)  # history already reaches the interval
    assert count(conn, "SELECT count(*) FROM fetches") == 4


def test_wordpress_paged_feed_ends_at_404_and_known_pages_are_not_relanded(conn, httpserver, fetcher):
    httpserver.expect_request("/feed", query_string="paged=2").respond_with_data(
        rss_wordpress([(2, "Tue, 20 May 2025 08:00:00 +0000")]), content_type="application/rss+xml")
    httpserver.expect_request("/feed", query_string="paged=3").respond_with_data("not found", status=404)
    register(conn, httpserver.url_for("/feed"), rss_wordpress([(3, "Thu, 22 May 2025 08:00:00 +0000")]))

    counts = history.fetch_history(conn, START, fetcher=fetcher)
    assert (counts.pages, counts.landed, counts.items_new, counts.errors) == (2, 1, 1, 0)
    # The archive ends before the interval: a re-run asks again but lands nothing it already has.
    again = history.fetch_history(conn, START, fetcher=fetcher)
    assert (again.pages, again.landed, again.known, again.errors) == (2, 0, 1, 0)
    assert count(conn, "SELECT count(*) FROM fetches") == 2


def test_feeds_without_an_archive_cost_no_request(conn, httpserver, fetcher):
    register(conn, httpserver.url_for("/plain"), atom([(1, "2025-05-22T08:00:00Z")]))
    counts = history.fetch_history(conn, START, fetcher=fetcher)
    assert (counts.feeds, counts.pages) == (1, 0)
    assert history.older_page(b"not xml at all", "http://x/feed", 1) is None
