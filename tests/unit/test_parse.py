"""parse(): every format to the same Item, broken and hostile documents handled, dates and URLs settled."""
from __future__ import annotations

import gzip
import time
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from wirefeed.clean import clean_item
from wirefeed.parse import detect, parse
from wirefeed.parse.feed import defuse_doctype

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "parse"
NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)


def _parse(name: str, **kwargs):
    """Parse a fixture file with a fixed clock."""
    kwargs.setdefault("now", NOW)
    return parse((FIXTURES / name).read_bytes(), **kwargs)


def test_rss_item_fields_and_canonical_url_resolved_against_the_feed_url():
    result = _parse("cp1252_declared_utf8.xml", url="https://wire.example.com/feeds/world.xml")
    assert result.format == "rss20" and not result.partial and result.error is None
    assert result.feed_title == "Café Wire" and result.language == "en-GB"
    (item,) = result.items
    assert item.guid == "wire-7"
    assert item.link == "https://wire.example.com/world/cafe-ruling?utm_source=rss&id=7"
    assert item.url == "https://wire.example.com/world/cafe-ruling?id=7"
    assert item.published_at == datetime(2025, 5, 20, 5, 0, tzinfo=timezone.utc)
    assert item.authors == ("Desk",) and item.language == "en-GB"
    assert item.flags == ()


def test_feedburner_link_is_kept_and_the_original_article_is_the_canonical_url():
    data = (b'<rss version="2.0" xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><channel><title>t</title>'
            b"<item><title>a</title><link>http://feedproxy.google.com/~r/x/~3/abc/story</link>"
            b"<feedburner:origLink>https://News.example.com/story?utm_source=feedburner</feedburner:origLink>"
            b"</item></channel></rss>")
    (item,) = parse(data, now=NOW).items
    assert item.link == "http://feedproxy.google.com/~r/x/~3/abc/story"
    assert item.url == "https://news.example.com/story"


def test_cp1252_bytes_declared_as_utf8_are_repaired():
    (item,) = _parse("cp1252_declared_utf8.xml").items
    assert item.title == "Café owners \u2018welcome\u2019 the ruling"
    assert "Café owners welcomed it." in clean_item(item).text


def test_utf16_without_bom_reads_like_utf8():
    utf16, = _parse("utf16le_no_bom.xml").items
    utf8, = _parse("cp1252_declared_utf8.xml").items
    assert utf16.title == utf8.title and utf16.summary_html == utf8.summary_html


def test_http_charset_overrides_the_xml_declaration():
    data = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>' \
           '<item><title>Москва сегодня</title></item></channel></rss>'.encode("windows-1251")
    with_header = parse(data, content_type="application/rss+xml; charset=windows-1251", now=NOW).items[0].title
    assert with_header == "Москва сегодня"


def test_utf8_bytes_declared_latin1_are_repaired_by_clean():
    data = '<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>t</title>' \
           '<item><title>Zürich – Genève</title></item></channel></rss>'.encode("utf-8")
    assert clean_item(parse(data, now=NOW).items[0]).title == "Zürich – Genève"


def test_atom_with_xml_base_html_title_and_feed_author():
    result = _parse("atom_xml_base.xml", url="https://elsewhere.example.com/atom.xml")
    assert result.format == "atom10" and result.feed_title == "Atom Wire"
    (item,) = result.items
    assert item.title == "Tom & Jerry return"
    assert item.link == "https://atom.example.org/blog/posts/1.html#comments"
    assert item.url == "https://atom.example.org/blog/posts/1.html"
    assert item.authors == ("Feed Author",)  # Atom: an entry inherits the feed's author
    assert item.published_at == datetime(2025, 5, 20, 5, 0, tzinfo=timezone.utc)
    assert item.updated_at == datetime(2025, 5, 20, 8, 0, tzinfo=timezone.utc)
    assert item.categories == ("Culture",) and item.language == "de"


def test_json_feed_items_resolve_relative_urls_and_keep_attachments():
    result = _parse("feed.json")
    assert result.format == "json11" and result.feed_title == "JSON Wire" and result.language == "fr"
    first, second = result.items
    assert first.guid == "1" and first.title == "L\u2019accord signé"
    assert first.link == "https://json.example.net/articles/1?fbclid=abc"
    assert first.url == "https://json.example.net/articles/1"
    assert first.published_at == datetime(2025, 5, 20, 7, 0, tzinfo=timezone.utc)
    assert first.categories == ("Monde", "Politique") and first.authors == ("Rédaction",)
    assert first.enclosures[0].url == "https://json.example.net/media/1.mp3" and first.enclosures[0].length == 1234
    assert clean_item(first).text == "PARIS, 20 mai (AFP) - Premier paragraphe.\n\nDeuxième paragraphe."
    assert second.link == "https://other.example.org/2" and second.authors == ("Legacy Author",)
    assert second.published_at == datetime(2025, 5, 21, tzinfo=timezone.utc)  # date_modified stands in


def test_wire_export_keeps_its_body_faithfully():
    result = _parse("wire_export.txt")
    assert result.format == "wiretext"
    (item,) = result.items
    assert item.title == "Israeli, Azerbaijani Defence Ministers highlight 'deep and strategic' partnership"
    assert item.published_at == datetime(2025, 5, 20, tzinfo=timezone.utc)
    text = clean_item(item).text
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == "ANI" and paragraphs[1] == "May 20, 2025"
    assert paragraphs[2].startswith("Tel Aviv [Israel], May 20 (ANI/TPS): Israeli Defence Minister")
    assert paragraphs[-1] == "(The story has come from a syndicated feed and has not been edited by the Tribune Staff.)"
    assert item.title not in text  # the doubled headline is the title, not body


def test_html_article_page_reads_json_ld_opengraph_and_meta():
    result = _parse("article.html", url="https://daily.example.in/world/ministers-meet")
    assert result.format == "html" and result.feed_title == "The Daily Example"
    (item,) = result.items
    assert item.title == "Israeli, Azerbaijani Defence Ministers highlight 'deep and strategic' partnership"
    assert item.url == "https://daily.example.in/world/ministers-meet"
    assert item.published_at == datetime(2025, 5, 20, 4, 30, tzinfo=timezone.utc)  # JSON-LD over OpenGraph
    assert item.updated_at == datetime(2025, 5, 20, 6, 30, tzinfo=timezone.utc)
    assert item.authors == ("ANI",) and item.categories == ("Israel", "Azerbaijan", "Defence")
    assert item.language == "en"
    assert item.enclosures[0].url == "https://daily.example.in/images/ministers.jpg"
    text = clean_item(item).text
    assert text.startswith("Tel Aviv [Israel], May 20 (ANI/TPS)") and "trackPageView" not in text
    assert "Home" not in text


def test_html_page_whose_text_is_only_in_json_ld_article_body():
    # Raw newlines inside JSON-LD strings are invalid JSON that CMSs emit anyway.
    page = (b'<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": "H",'
            b' "articleBody": "First line.\nSecond line.", "datePublished": "2025-05-20"}</script></head>'
            b"<body><div>x</div></body></html>")
    (item,) = parse(page, now=NOW).items
    cleaned = clean_item(item)
    assert (cleaned.title, cleaned.text) == ("H", "First line.\n\nSecond line.")
    assert item.published_at == datetime(2025, 5, 20, tzinfo=timezone.utc) and item.link is None


def test_html_page_without_metadata_still_yields_title_and_text():
    paragraph = b"A sentence of the story that goes on for a while. " * 6
    page = b"<html><head><title>T</title></head><body><div><p>" + paragraph + b"</p><p>Two.</p></div></body></html>"
    (item,) = parse(page, now=NOW).items
    assert clean_item(item).text == paragraph.decode().strip() + "\n\nTwo." and item.title == "T"


def test_naive_times_take_the_feed_zone_and_future_dates_are_clamped():
    result = _parse("naive_and_future.xml", tz=ZoneInfo("Asia/Kolkata"))
    naive, future, missing = result.items
    assert naive.published_at == datetime(2025, 5, 20, 5, 0, tzinfo=timezone.utc)
    assert future.published_at == NOW and future.flags == ("date_clamped",)
    assert missing.published_at is None and missing.flags == ("date_missing",)


def test_naive_times_default_to_utc():
    naive = _parse("naive_and_future.xml").items[0]
    assert naive.published_at == datetime(2025, 5, 20, 10, 30, tzinfo=timezone.utc)


def test_broken_xml_recovers_items_and_flags_partial():
    result = _parse("broken_rss.xml")
    assert result.partial and "broken XML" in result.error
    assert [i.title for i in result.items] == ["First", "Second & more", "Third"]


@pytest.mark.parametrize("data", [
    # feedparser's loose parser loses the second item after the mismatched tag; lxml recovery keeps it
    b'<rss version="2.0"><channel><item><title>A</titl></item><item><title>B</title></item></channel></rss>',
    # feedparser itself raises on a character reference beyond Unicode
    b'<rss version="2.0"><channel><item><title>A &#xFFFFFF;</title></item><item><title>B</title></item></channel></rss>',
])
def test_lxml_recovery_keeps_items_feedparser_loses(data):
    result = parse(data, now=NOW)
    assert result.partial and [i.title[:1] for i in result.items] == ["A", "B"]


def test_feed_behind_server_junk_is_recovered():
    data = (b"Warning: session_start() failed in /var/www/feed.php on line 3\n"
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            b"<item><title>Kept</title><link>https://e.example/1</link></item></channel></rss>")
    result = parse(data, now=NOW)
    assert [i.title for i in result.items] == ["Kept"] and result.partial


def test_broken_xml_without_recoverable_items_is_an_error_not_an_empty_success():
    result = _parse("no_recoverable_items.xml")
    assert result.items == () and result.error.startswith("broken XML, no item could be recovered")


@pytest.mark.parametrize("data, reason", [
    (b"", "empty document"),
    (b"garbage", "not a feed"),
    (b"\x00\x01\x02\x03binary", "not a feed"),
    (b"<html><body></body></html>", "neither a feed nor a news article"),
    (b"<html><head><title>Not found</title></head><body>No such page</body></html>", "neither a feed nor"),
    (b'{"not": "a feed"}', "not a JSON Feed"),
    (b'[[[[' * 10_000, "invalid JSON: nested deeper"),
    (b'{"items": [], "title": "\xff"}', "invalid JSON: not valid UTF-8"),
    (b"<?xml version='1.0'?><note><to>x</to></note>", "not a feed"),
    (b"\x1f\x8b\x08\x00garbage", "corrupt gzip data"),
])
def test_unreadable_documents_come_back_as_errors(data, reason):
    result = parse(data, now=NOW)
    assert result.items == () and reason in result.error


def test_gzip_documents_are_inflated():
    data = gzip.compress((FIXTURES / "feed.json").read_bytes())
    assert [i.guid for i in parse(data, now=NOW).items] == ["1", "2"]


def test_entity_bombs_are_not_expanded_and_finish_quickly():
    lol = b'<!ENTITY lol0 "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, b"&lol%d;" % (n - 1) * 10) for n in range(1, 10))
    bomb = b'<?xml version="1.0"?>\n<!DOCTYPE rss [' + lol + b']>\n<rss version="2.0"><channel><title>&lol9;</title>' \
           b"<item><title>&lol9;</title></item></channel></rss>"
    started = time.monotonic()
    result = parse(bomb, now=NOW)
    assert time.monotonic() - started < 1
    assert all("lollol" not in i.title for i in result.items) and "lollol" not in result.feed_title


def test_external_entities_are_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doc = (f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
           '<rss version="2.0"><channel><title>t</title><item><title>a &xxe; b</title></item></channel></rss>')
    result = parse(doc.encode(), now=NOW)
    assert all("TOP-SECRET" not in i.title for i in result.items)


def test_defuse_doctype_keeps_short_literal_entities_only():
    doc = (b'<!DOCTYPE rss [\n<!ENTITY ok "fine">\n<!ENTITY nested "&ok;&ok;">\n<!ENTITY ext SYSTEM "file:///etc/passwd">'
           b'\n<!ENTITY % param "x">\n]><rss/>')
    assert defuse_doctype(doc) == b'<!DOCTYPE rss [\n<!ENTITY ok "fine">\n]><rss/>'


@pytest.mark.parametrize("data, content_type, kind", [
    (b"  <?xml version='1.0'?><rss version='2.0'/>", None, "feed"),
    (b"\xef\xbb\xbf<feed xmlns='http://www.w3.org/2005/Atom'/>", None, "feed"),
    ("<rss version='2.0'/>".encode("utf-16"), None, "feed"),
    (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>", None, "feed"),
    (b'{"version": "https://jsonfeed.org/version/1"}', None, "json"),
    (b"<!DOCTYPE html><html></html>", None, "html"),
    (b"<div>fragment</div>", "text/html; charset=utf-8", "html"),
    (b" date 2025-05-20 DT\nHeadline", None, "text"),
])
def test_detect(data, content_type, kind):
    assert detect(data, content_type) == kind
