"""Items made clean and safe: sanitized HTML, plain text with paragraphs, repaired Unicode."""
from __future__ import annotations

import dataclasses
import html as html_lib
import re
import unicodedata

import ftfy
import ftfy.badness
import nh3

from wirefeed.models import Item

# What a reader needs from an article body; no script, style, iframe, form, object or event handler.
_TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dfn", "div", "dl", "dt",
         "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
         "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
         "tfoot", "th", "thead", "time", "tr", "u", "ul"}
_ATTRIBUTES = {"a": {"href", "title", "hreflang"}, "img": {"src", "alt", "title", "width", "height"},
               "blockquote": {"cite"}, "q": {"cite"}, "time": {"datetime"}, "td": {"colspan", "rowspan"},
               "th": {"colspan", "rowspan", "scope"}, "ol": {"start"}, "abbr": {"title"}}
_CLEANER = nh3.Cleaner(tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                       clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript",
                                           "template", "svg", "math", "form", "textarea", "select"},
                       strip_comments=True, link_rel="noopener noreferrer nofollow")

_BLOCK = re.compile(r"</?(?:p|div|blockquote|h[1-6]|li|ul|ol|dl|dt|dd|table|tr|pre|figure|figcaption|hr|"
                    r"caption|tbody|thead|tfoot)\b[^>]*>|<br\s*/?>\s*<br\s*/?>", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_CELL = re.compile(r"</t[dh]>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_PARAGRAPH = "\x00"  # a marker no cleaned text can contain (NULs are removed before)
# Horizontal white space of every kind becomes one plain space.
_TO_SPACE = dict.fromkeys(map(ord, "\t\f\v\u00a0\u1680\u202f\u205f\u3000"), " ") | {
    c: " " for c in range(0x2000, 0x200b)}
_SPACE_RUN = re.compile(r"  +")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# C0 controls except tab and newline, lone surrogates, and the non-characters XML and PostgreSQL refuse.
_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_C0_BYTES = bytes([*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f])
_NONCHARACTER_BYTES = re.compile(rb"\xef\xb7[\x90-\xaf]|\xef\xbf[\xbe\xbf]")  # U+FDD0..FDEF, U+FFFE, U+FFFF
# UTF-8 read as Latin-1/cp1252 always shows a lead byte as one of Â..ô, and cp1252 read as Latin-1 shows
# C1 controls: text with neither (English with curly quotes, Hindi, Chinese...) cannot be that mojibake.
_MOJIBAKE_HINT = re.compile(r"[\x80-\x9f\u00c2-\u00f4]")
# C1 controls: after ftfy had its chance to read them as the cp1252 punctuation they usually were.
_C1 = re.compile(r"[\x80-\x84\x86-\x9f]")


def fix_text(text: str) -> str:
    """Text with invalid characters removed, mojibake repaired and Unicode in NFC."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # The character-class regexes cost ~15 ns per character; byte searches on the UTF-8 rule them out in ~1.
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        data = None
    if data is None or len(data.translate(None, _C0_BYTES)) != len(data) or _NONCHARACTER_BYTES.search(data):
        text = _INVALID.sub("", text)
    # Mojibake hints and C1 controls are all U+0080..U+00FF: in UTF-8 their lead byte is C2 or C3.
    if data is None or b"\xc2" in data or b"\xc3" in data:
        # ftfy only where it can matter: its badness check costs a regex pass over the whole text.
        if _MOJIBAKE_HINT.search(text) and ftfy.badness.is_bad(text):
            text = ftfy.fix_encoding(text)
        text = _C1.sub("", text.replace("\x85", "\n"))
    return unicodedata.normalize("NFC", text)


def sanitize_html(html: str) -> str:
    """HTML reduced to an allow-list: no scripts, event handlers, javascript: URLs, iframes or styles."""
    return _CLEANER.clean(fix_text(html)).strip() if html else ""


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: entities decoded, one blank line between paragraphs."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return _normalise(fix_text(html))
    # Sanitize first: script and style content must not become text, and nh3 yields balanced markup.
    return _safe_to_text(_CLEANER.clean(fix_text(html)))


def _safe_to_text(safe: str) -> str:
    """Plain text of HTML that sanitize_html already produced."""
    marked = _BLOCK.sub(_PARAGRAPH, safe)
    marked = _CELL.sub(" ", _BREAK.sub("\n", marked))
    return _normalise(html_lib.unescape(_TAG.sub("", marked)))


def _normalise(text: str) -> str:
    """Whitespace collapsed within lines, paragraphs separated by one blank line."""
    # Plain str methods and literal-led regexes: a character-class regex costs ten times more per character.
    if text.isascii():
        text = text.replace("\t", " ").replace("\f", " ").replace("\v", " ")
    else:
        text = text.translate(_TO_SPACE)
    text = _SPACE_RUN.sub(" ", text.replace(_PARAGRAPH, "\n\n")).replace(" \n", "\n").replace("\n ", "\n")
    paragraphs = (p.strip() for p in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def clean_line(value: str) -> str:
    """A one-line plain-text field (title, author, category): characters repaired, whitespace collapsed."""
    if not value:
        return ""
    if "&" in value:  # feeds double-encode: "Jenny&#8217;s" inside CDATA is still an apostrophe
        value = html_lib.unescape(value)
    return " ".join(fix_text(value).split())


def clean_item(item: Item) -> Item:
    """Fill html and text from the richest body the feed gave, and clean every text field."""
    body = item.content_html
    if len(item.summary_html) > len(body):  # some feeds put a teaser in content and the article in summary
        body = item.summary_html
    safe = sanitize_html(body)
    text = _safe_to_text(safe)
    title, flags = clean_line(item.title), item.flags
    if not title:  # reports and story matching need a label: the opening words, else the link
        title = _opening(text) or item.url or item.link or ""
        flags = flags + ("title_derived",)
    return dataclasses.replace(
        item,
        title=title,
        flags=flags,
        authors=tuple(dict.fromkeys(a for a in map(clean_line, item.authors) if a)),
        categories=tuple(dict.fromkeys(c for c in map(clean_line, item.categories) if c)),
        guid=(fix_text(item.guid).strip() or None) if item.guid else None,
        link=(_INVALID.sub("", item.link).strip() or None) if item.link else None,
        html=safe,
        text=text,
    )


def _opening(text: str, limit: int = 120) -> str:
    """The first paragraph of a text, cut at a word boundary near `limit` characters."""
    first = text.split("\n", 1)[0]
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + "…"
