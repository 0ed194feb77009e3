"""The lxml fast path of parse_feed: identical results to feedparser wherever it is taken, feedparser elsewhere."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from feedparser.urls import _urljoin

from tests.conftest import CORPORA
from wirefeed.errors import ParseError
from wirefeed.parse.fastfeed import fast_parse, join
from wirefeed.parse.feed import parse_feed, prepare

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "parse"
URL = "https://wire.example.com/feeds/world.xml"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"
     xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel><title>Wire &amp; Co</title><link>https://wire.example.com/</link><language>en-GB</language><ttl>15</ttl>
<atom:link href="/feeds/world.xml" rel="self"/><managingEditor>desk@wire.example.com (News Desk)</managingEditor>
<image><url>/logo.png</url><title>Wire</title><link>https://wire.example.com/</link></image>
<item><title>Talks &lt;b&gt;resume&lt;/b&gt;</title><link>/news/1?a=1&amp;b=2</link>
<guid isPermaLink="false">urn:wire:1</guid><pubDate>Sun, 29 Jun 2025 19:10:00 +0000</pubDate>
<dc:creator>Reuters</dc:creator><dc:creator>Jane Roe</dc:creator><category>World</category>
<category domain="x">World</category><description>Short &lt;a href="/a"&gt;text&lt;/a&gt;</description>
<content:encoded><![CDATA[<p>Body <img src="/img/1.jpg"></p>]]></content:encoded>
<enclosure url="/audio/1.mp3" length="123" type="audio/mpeg"/><media:group>
<media:content url="https://cdn.example.com/1.jpg" type="image/jpeg" fileSize="99"/></media:group>
<media:thumbnail url="https://cdn.example.com/t1.jpg"/>
<feedburner:origLink>https://wire.example.com/news/1</feedburner:origLink></item>
<item><title>Second</title><guid>https://wire.example.com/news/2</guid><dc:date>2025-06-29T10:00:00+02:00</dc:date>
<description>Plain &#8216;quoted&#8217; text</description></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en_US"><title type="html">Wire &lt;i&gt;Atom&lt;/i&gt;</title>
<id>urn:wire:feed</id><link href="https://wire.example.com/"/><author><name>Desk</name></author>
<entry><title>One</title><link rel="alternate" href="/news/1"/><link rel="enclosure" href="/a.mp3"/>
<id>tag:wire.example.com,2025:1</id><published>2025-06-29T19:10:00Z</published><updated>2025-06-30T08:00:00Z</updated>
<content type="html">&lt;p&gt;Body&lt;/p&gt;</content><category term="world" label="World"/></entry>
<entry><title>Two</title><id>/news/2</id><updated>2025-06-29T19:10:00Z</updated>
<author><name>A. Writer</name><email>a@wire.example.com</email><uri>/a</uri></author>
<summary>Only a summary</summary></entry>
</feed>"""


def _both(data: bytes, url: str | None = None, content_type: str | None = None):
    """parse_feed through the fast path and through feedparser (an error counts as a result too)."""
    results = []
    for fast in (True, False):
        try:
            results.append(parse_feed(data, url=url, content_type=content_type, fast_path=fast))
        except ParseError as exc:
            results.append(f"ParseError: {exc}")
    return results


def _fast(data: bytes, url: str | None, content_type: str | None):
    """fast_parse on prepared bytes, keyword-friendly."""
    prepared, content_type = prepare(data, content_type)
    return fast_parse(prepared, url, content_type)


@pytest.mark.parametrize("url", [None, URL])
@pytest.mark.parametrize("document", [RSS, ATOM], ids=["rss", "atom"])
def test_fast_path_reads_rss_and_atom_exactly_as_feedparser(document, url):
    assert _fast(document, url, None) is not None
    fast, slow = _both(document, url)
    assert fast == slow
    assert len(fast.items) == 2 and fast.format in ("rss20", "atom10")


@pytest.mark.parametrize("item", [
    b"<description>a</description><description>b &lt;i&gt;c&lt;/i&gt;</description>",
    b"<description>a</description><itunes:summary>b</itunes:summary><content:encoded>c</content:encoded>",
    b"<content:encoded>c</content:encoded><description>a</description><itunes:summary>b</itunes:summary>",
], ids=["second-description", "itunes-summary", "content-first"])
def test_a_second_summary_is_content_as_in_feedparser(item):
    document = (b'<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
                b'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><item>' + item +
                b"</item></channel></rss>")
    assert _fast(document, URL, None) is not None
    fast, slow = _both(document, URL)
    assert fast == slow


def test_a_second_channel_summary_changes_how_the_first_item_reads_as_in_feedparser():
    item = b"<item><description>a</description><itunes:summary>b</itunes:summary></item>"
    document = (b'<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
                b"<itunes:summary>x</itunes:summary><description>y</description>" + item + item +
                b"</channel></rss>")
    assert _fast(document, URL, None) is not None
    fast, slow = _both(document, URL)
    assert fast == slow and fast.items[0].content_html != fast.items[1].content_html


XML_BASE = b"""<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://wire.example.com/blog/" xml:lang="en">
<title>T</title><link href="./"/><feedburner:origLink xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"
 xml:lang="de">https://x/</feedburner:origLink>
<entry xml:base="/de/" xml:lang="de_AT"><title xml:lang="">Eins</title><link href="eins"/><id>1</id>
<content type="html" xml:base="https://cdn.example.com/">&lt;img src="a.jpg"&gt;</content>
<summary xml:base="/x/">&lt;a href="b"&gt;b&lt;/a&gt;</summary></entry>
<entry><title>Two</title><link href="two" xml:base="/other/"/><id>2</id><author><name>A</name>
<uri xml:base="/people/">a</uri></author><summary>Plain</summary></entry>
</feed>"""


@pytest.mark.parametrize("url", [None, URL])
def test_xml_base_and_lang_scoped_per_element_as_in_feedparser(url):
    fast, slow = _both(XML_BASE, url)
    assert fast == slow
    assert _fast(XML_BASE, url, None) is not None
    assert fast.items[0].link == "https://wire.example.com/de/eins" and fast.items[0].language == "de-AT"
    assert fast.items[1].link == "https://wire.example.com/other/two"


RDF = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xml:lang="fr">
<channel rdf:about="https://wire.example.com/"><title>Wire</title><link>https://wire.example.com/</link>
<description>d</description><dc:language>fr-FR</dc:language><image rdf:resource="https://wire.example.com/l.png"/>
<items><rdf:Seq><rdf:li rdf:resource="https://wire.example.com/1"/></rdf:Seq></items></channel>
<image rdf:about="https://wire.example.com/l.png"><title>Wire</title><url>/l.png</url><link>/</link></image>
<item rdf:about="https://wire.example.com/1"><title>Un</title><link>/1</link>
<dc:date>2025-06-29T10:00:00+02:00</dc:date><dc:creator>AFP</dc:creator><dc:subject>Monde</dc:subject><description>Texte</description></item>
<item><title>Deux</title><link>https://wire.example.com/2</link></item>
</rdf:RDF>"""


@pytest.mark.parametrize("url", [None, URL])
def test_fast_path_reads_rss_1_0_as_feedparser(url):
    assert _fast(RDF, url, None) is not None
    fast, slow = _both(RDF, url)
    assert fast == slow and fast.format == "rss10" and len(fast.items) == 2
    assert fast.items[0].guid == "https://wire.example.com/1" and fast.items[0].language == "fr"


def test_xml_base_under_an_empty_base_goes_to_feedparser():
    document = b'<rss version="2.0"><channel><item xml:base="http://a/"><link>x</link></item><item><link>y</link>' \
               b"</item></channel></rss>"
    assert _fast(document, None, None) is None  # feedparser keeps that base for the elements after it
    fast, slow = _both(document)
    assert fast == slow


def test_fast_path_fields_of_an_rss_item():
    result = parse_feed(RSS, url=URL)
    first = result.items[0]
    assert result.feed_title == "Wire & Co" and result.ttl_minutes == 15 and result.language == "en-GB"
    assert first.title == "Talks resume"  # HTML-looking RSS title read as HTML, then as text
    assert first.link == "https://wire.example.com/news/1?a=1&b=2" and first.guid == "urn:wire:1"
    assert first.url == "https://wire.example.com/news/1" and first.authors == ("Reuters", "Jane Roe")
    assert first.categories == ("World",)
    assert first.summary_html == 'Short <a href="https://wire.example.com/a">text</a>'
    assert '<img src="https://wire.example.com/img/1.jpg">' in first.content_html
    assert [e.url for e in first.enclosures] == ["/audio/1.mp3", "https://cdn.example.com/1.jpg",
                                                 "https://cdn.example.com/t1.jpg"]
    second = result.items[1]
    assert second.link == second.guid == "https://wire.example.com/news/2"  # a permalink guid is the link
    assert second.authors == ("News Desk",)  # the channel's managingEditor


@pytest.mark.parametrize("document", [
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "b">]><rss version="2.0"><channel><item><title>&a;</title>'
    b"</item></channel></rss>",
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
    b'xmlns:a="http://www.w3.org/2005/Atom"><channel><title>t</title></channel><item><title>x</title></item></rdf:RDF>',
    b'<rss version="2.0"><channel><item><title>unclosed</item></channel></rss>',
    b'<rss version="2.0"><channel><item><link base="http://a/">x</link></item></channel></rss>',
    b'<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><item><media:title>t</media:title>'
    b"</item></channel></rss>",
    b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
    b"<p>x</p></div></content></entry></feed>",
    b'<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><item><title>\xe9</title></item>'
    b"</channel></rss>",
], ids=["doctype", "rdf-or-atom", "broken", "plain-base-attribute", "media-title", "xhtml", "declared-latin1"])
def test_what_the_fast_path_does_not_mirror_goes_to_feedparser(document):
    fast, slow = _both(document, URL)
    assert fast == slow
    if b"iso-8859-1" not in document:  # a plain Latin-1 document may well take the fast path
        assert _fast(document, URL, None) is None


def test_security_guards_stay_in_front_of_the_fast_path():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
              b'<rss version="2.0"><channel><item><title>&b;</title></item></channel></rss>')
    prepared, _ = prepare(laughs, None)
    assert b"&a;&a;" not in prepared  # the nested entity is gone before either parser sees the bytes
    assert fast_parse(prepared, URL, None) is None


def test_join_matches_feedparser_urljoin():
    rng = random.Random(20250629)
    parts = ["http", "https", "HTTP", "urn", "tag", "mailto", "ftp", "javascript", ":", "://", ":///", "//", "/",
             "?", "#", ";", "[", "]", "::1", "a", "b.c", "@", "%20", " ", "\t", "\n", "..", ".", "x=1", "&", "é",
             "80", "", "\x00", "\x7f"]
    bases = ["", "http://example.com/dir/feed.xml", "https://h/a/b?q#f", "file:///tmp/x", "urn:x", "ftp://a/"]
    for _ in range(50_000):
        uri = "".join(rng.choice(parts) for _ in range(rng.randint(1, 7)))
        base = rng.choice(bases)
        assert join(base, uri) == _urljoin(base, uri), (base, uri)


def _documents() -> list[Path]:
    """Every XML-looking file of the shared corpora and the parse fixtures."""
    files = [p for root in (CORPORA, FIXTURES) if root.is_dir() for p in sorted(root.rglob("*"))
             if p.is_file() and p.suffix not in (".md", ".json", ".npy")]
    return [p for p in files if p.read_bytes().lstrip()[:1] == b"<"]


@pytest.mark.skipif(not (CORPORA / "feeds").is_dir(), reason=f"corpus not found at {CORPORA}")
def test_fast_path_matches_feedparser_on_every_corpus_file_it_takes():
    """Both paths over every corpus file the fast path takes, with and without a document URL."""
    taken, left, differing = [], [], []
    for path in _documents():
        data = path.read_bytes()
        for url, content_type in ((None, None), (URL, "application/rss+xml"), (URL, "text/html; charset=iso-8859-1")):
            if _fast(data, url, content_type) is None:
                if url is None:
                    left.append(path)
                continue
            if url is None:
                taken.append(path)
            fast, slow = _both(data, url, content_type)
            if fast != slow:
                differing.append(f"{path} (url={url})")
    print(f"fast path: {len(taken)} files, feedparser: {len(left)} files")
    assert not differing, differing
    assert len(taken) >= 250, f"only {len(taken)} files took the fast path ({len(left)} fell back)"
