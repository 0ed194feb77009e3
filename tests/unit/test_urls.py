"""canonical_url: one spelling per page."""
from __future__ import annotations

import pytest

from wirefeed.urls import absolutize_links, canonical_url


@pytest.mark.parametrize("url, base, expected", [
    ("HTTP://News.Example.COM:80/World/Story?id=1#comments", None, "http://news.example.com/World/Story?id=1"),
    ("https://example.com:443", None, "https://example.com/"),
    ("https://example.com:8443/x", None, "https://example.com:8443/x"),
    ("https://e.com/a?utm_source=rss&utm_medium=feed&id=3&fbclid=X&gclid=Y&mc_cid=1&mc_eid=2", None,
     "https://e.com/a?id=3"),
    ("https://e.com/a?utm_campaign=x", None, "https://e.com/a"),
    ("https://e.com/a?page=2&ref=home", None, "https://e.com/a?page=2&ref=home"),  # real parameters stay
    ("/world/story-1.html", "https://e.com/feeds/rss.xml", "https://e.com/world/story-1.html"),
    ("story-1.html", "https://e.com/feeds/", "https://e.com/feeds/story-1.html"),
    ("//cdn.e.com/x", "https://e.com/", "https://cdn.e.com/x"),
    ("  https://e.com/\n  wrapped \t", None, "https://e.com/wrapped"),
    ("https://e.com/a b", None, "https://e.com/a%20b"),
    ("https://E.com./x", None, "https://e.com/x"),
    ("http://[2001:DB8::1]:80/x", None, "http://[2001:db8::1]/x"),
])
def test_canonical_url(url, base, expected):
    assert canonical_url(url, base) == expected


@pytest.mark.parametrize("url", [None, "", "   ", "javascript:alert(1)", "mailto:a@b.c", "tag:e.com,2025:1",
                                 "http://", "http://e.com:99999/", "data:text/html,x"])
def test_not_a_web_url(url):
    assert canonical_url(url) is None


def test_canonical_url_is_idempotent():
    once = canonical_url("HTTPS://E.com:443/a?b=1&utm_term=x#f")
    assert canonical_url(once) == once == "https://e.com/a?b=1"


def test_absolutize_links_resolves_relative_href_and_src_only():
    html = ('<p><a href="/a?b=1">l</a> <img src="img.png"> <a href="https://x.org/">abs</a> '
            '<a href="mailto:a@b.c">m</a></p>tail')
    assert absolutize_links(html, "https://e.com/dir/feed.json") == (
        '<p><a href="https://e.com/a?b=1">l</a> <img src="https://e.com/dir/img.png"> '
        '<a href="https://x.org/">abs</a> <a href="mailto:a@b.c">m</a></p>tail')
    assert absolutize_links("<p>no links</p>", "https://e.com/") == "<p>no links</p>"
    assert absolutize_links('<a href="/x">x</a>', None) == '<a href="/x">x</a>'
