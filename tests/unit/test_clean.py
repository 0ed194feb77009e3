"""clean: sanitized HTML, paragraph text, repaired Unicode, every text field of an Item."""
from __future__ import annotations

import unicodedata

import pytest

from wirefeed.clean import clean_item, clean_line, fix_text, html_to_text, sanitize_html
from wirefeed.models import Item

HOSTILE = ('<p onclick="steal()">Hi <b>there</b></p><script>alert(1)</script><style>p{}</style>'
           '<a href="javascript:alert(2)">js</a> <a href="https://ok.example/x">ok</a>'
           '<iframe src="https://evil.example"></iframe><img src="x.png" onerror="alert(3)">'
           '<form action="/post"><input name="a"></form><object data="x.swf"></object>')


def test_sanitize_removes_scripts_handlers_javascript_urls_and_iframes():
    safe = sanitize_html(HOSTILE)
    for banned in ("<script", "alert", "onclick", "onerror", "javascript:", "<iframe", "<style", "<form", "<object",
                   "<input"):
        assert banned not in safe
    assert '<a href="https://ok.example/x" rel="noopener noreferrer nofollow">ok</a>' in safe
    assert '<img src="x.png">' in safe and "<b>there</b>" in safe


def test_text_keeps_paragraph_breaks_and_decodes_entities():
    html = ("<div><p>First&nbsp;paragraph &amp; more.</p>\n\n<p>Second   one<br>with a break.</p>"
            "<ul><li>one</li><li>two</li></ul><h2>Heading</h2>Tail &lt;b&gt; text &#8217;s</div>")
    assert html_to_text(html) == ("First paragraph & more.\n\nSecond one\nwith a break.\n\none\n\ntwo\n\n"
                                  "Heading\n\nTail <b> text \u2019s")


def test_text_never_contains_script_or_style_content():
    assert html_to_text(HOSTILE) == "Hi there\n\njs ok"


def test_plain_text_input_keeps_its_paragraphs():
    assert html_to_text("one\n\n\n  two   words \n") == "one\n\ntwo words"


@pytest.mark.parametrize("raw, fixed", [
    ("CafÃ© au lait", "Café au lait"),                           # UTF-8 read as Latin-1
    ("donâ€™t panic", "don\u2019t panic"),                       # UTF-8 read as cp1252
    ("nul\x00byte and \x0bvertical tab", "nulbyte and vertical tab"),
    ("It\x92s a \x93test\x94", "It\u2019s a \u201ctest\u201d"),          # cp1252 read as Latin-1
    ("stray \x81 C1 control", "stray  C1 control"),
    ("lone \ud800 surrogate \ufffe", "lone  surrogate "),
    ("Cafe\u0301", "Café"),                                      # decomposed -> NFC
    ("plain ascii", "plain ascii"),
    ("Über naïve São Paulo", "Über naïve São Paulo"),           # correct accents are left alone
])
def test_fix_text(raw, fixed):
    assert fix_text(raw) == fixed
    assert unicodedata.is_normalized("NFC", fix_text(raw))


def test_clean_line_decodes_double_encoded_entities_and_collapses_whitespace():
    assert clean_line("  Jenny&#8217;s\n\tNewsletter &amp; more ") == "Jenny\u2019s Newsletter & more"


def test_clean_item_fills_html_and_text_and_cleans_every_field():
    item = Item(guid="id\x00-1", link="https://e.example/a\x00", title="Caf\u00c3\u00a9 \x00news",
                authors=("  Desk ", "Desk", ""), categories=("World", " World ", "A &amp; B"),
                summary_html="<p>teaser</p>", content_html="<p>Body one.</p><p>Body two.</p>")
    cleaned = clean_item(item)
    assert cleaned.title == "Café news"
    assert cleaned.guid == "id-1" and cleaned.link == "https://e.example/a"
    assert cleaned.authors == ("Desk",) and cleaned.categories == ("World", "A & B")
    assert cleaned.html == "<p>Body one.</p><p>Body two.</p>"
    assert cleaned.text == "Body one.\n\nBody two."
    assert cleaned.flags == ()


def test_clean_item_prefers_the_longer_body_and_derives_a_missing_title():
    item = Item(summary_html="<p>" + "word " * 40 + "</p>", content_html="<p>short</p>", url="https://e.example/x")
    cleaned = clean_item(item)
    assert cleaned.text.startswith("word word")
    assert cleaned.title.endswith("…") and len(cleaned.title) <= 121
    assert cleaned.flags == ("title_derived",)
    bare = clean_item(Item(url="https://e.example/x"))
    assert bare.title == "https://e.example/x" and bare.text == "" and bare.html == ""
