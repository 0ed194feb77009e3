"""One news item from a file's bytes: wire text, an HTML page or fragment, a feed, or a JSON item."""
from __future__ import annotations

import dataclasses
import html
import re
from datetime import datetime

import lxml.html
from lxml import etree

from wirefeed.clean import clean_item, html_to_text
from wirefeed.errors import ParseError
from wirefeed.extract.reflow import opens_story
from wirefeed.models import Item
from wirefeed.parse import detect, parse
from wirefeed.parse.dates import parse_date
from wirefeed.parse.encoding import decode
from wirefeed.parse.html import parse_html
from wirefeed.parse.jsonfeed import load_json
from wirefeed.parse.wiretext import parse_wiretext

# Keys of one JSON item in the shapes met in practice: wirefeed's own Item, JSON Feed items,
# IPTC ninjs (headline, body_text, byline, versioncreated) and common CMS exports.
_TITLE_KEYS = ("title", "headline", "name")
_HTML_KEYS = ("content_html", "html", "body_html", "body_xhtml", "content", "summary_html", "description")
_TEXT_KEYS = ("text", "body_text", "content_text", "body", "summary", "description_text")
_AUTHOR_KEYS = ("authors", "author", "byline", "creator", "by")
_DATE_KEYS = ("published_at", "date_published", "published", "pubDate", "firstcreated", "versioncreated",
              "date", "datePublished")
_URL_KEYS = ("url", "link", "uri", "permalink", "guid", "id")
_BLANK_LINE = re.compile(r"\n\s*\n")
# News-industry XML (IPTC NITF, NewsML 1 and G2): root element names, and where each field lives.
_NEWS_XML_ROOTS = {"nitf", "newsmessage", "newsitem", "newsml", "newsitemref"}
_NEWS_XML_ROOT = re.compile(rb"<(?:\w+:)?(?:nitf|newsMessage|newsItem|NewsML)[\s>]", re.IGNORECASE)
_XML_TITLE = ("hl1", "headline", "HeadLine")
_XML_BODY = ("body.content", "inlineXML", "inlineData", "DataContent")
_XML_DATE = ("firstCreated", "FirstCreated", "versionCreated", "DateLineDate")
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                              recover=True)


def _first(obj: dict, keys: tuple[str, ...]):
    """The first non-empty value among keys."""
    for key in keys:
        value = obj.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _names(value) -> tuple[str, ...]:
    """Author names from a string, a list of strings, or objects with a "name"."""
    values = value if isinstance(value, list) else [value]
    names = []
    for entry in values:
        name = entry.get("name") if isinstance(entry, dict) else entry
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return tuple(names)


def _text_to_html(text: str) -> str:
    """Plain text as paragraphs of HTML, so clean_item treats every item alike."""
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in _BLANK_LINE.split(text) if p.strip())


def item_from_json(obj: dict) -> Item:
    """An Item from one JSON object describing a news item (ParseError if it holds no news)."""
    title = _first(obj, _TITLE_KEYS)
    body_html = _first(obj, _HTML_KEYS)
    body_text = _first(obj, _TEXT_KEYS)
    if not isinstance(body_html, str):
        body_html = _text_to_html(body_text) if isinstance(body_text, str) else ""
    if not (isinstance(title, str) and title.strip()) and not body_html:
        raise ParseError("a JSON object with neither a title nor a body: not a news item")
    published = _first(obj, _DATE_KEYS)
    url = _first(obj, _URL_KEYS)
    return Item(
        title=title if isinstance(title, str) else "",
        content_html=body_html,
        authors=_names(_first(obj, _AUTHOR_KEYS)),
        published_at=parse_date(published) if isinstance(published, str) else None,
        url=url if isinstance(url, str) else None,
        link=url if isinstance(url, str) else None,
        language=obj.get("language") if isinstance(obj.get("language"), str) else None,
    )


def _local(element) -> str:
    """An element's tag without its namespace."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _find(root, names: tuple[str, ...]):
    """The first element (document order) whose local name is one of names."""
    wanted = {name.casefold() for name in names}
    return next((el for el in root.iter() if _local(el).casefold() in wanted), None)


def _flat(element) -> str:
    """An element's text, whitespace collapsed."""
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def item_from_news_xml(data: bytes) -> Item | None:
    """An Item from an NITF or NewsML wire item (headline, byline, dateline, body), or None if it is not one."""
    try:
        root = etree.fromstring(data, _XML_PARSER)
    except etree.XMLSyntaxError:
        return None
    if root is None or _local(root).casefold() not in _NEWS_XML_ROOTS:
        return None
    body = _find(root, _XML_BODY)
    paragraphs = [_flat(p) for p in body.iter() if _local(p) in ("p", "P")] if body is not None else []
    if body is not None and not paragraphs:
        # Escaped HTML inside a text element (ANSA's inlineData, ANA's DataContent) or plain text.
        raw = "".join(body.itertext())
        paragraphs = [p for p in _BLANK_LINE.split(html_to_text(raw) if "<" in raw else raw) if p.strip()]
    dateline = _flat(_find(root, ("DateLine", "dateline")))
    # Some services carry the dateline in its own element (AFP's NewsML): it opens the copy.
    if dateline and "(" in dateline and paragraphs and not any(dateline[:10] in p for p in paragraphs[:3]):
        paragraphs[0] = f"{dateline} {paragraphs[0]}"
    date_element = _find(root, _XML_DATE)
    if date_element is None:
        date_element = _find(root, ("date.issue",))
    moment = (date_element.get("norm") or date_element.text or "").strip() if date_element is not None else ""
    byline = _find(root, ("byline", "by"))
    return Item(
        title=_flat(_find(root, _XML_TITLE)),
        content_html="".join(f"<p>{html.escape(p)}</p>" for p in paragraphs),
        authors=(" ".join(byline.itertext()).strip(),) if byline is not None and _flat(byline) else (),
        published_at=parse_date(moment) if moment else None,
    )


def item_from_fragment(text: str) -> Item:
    """An Item from an HTML fragment: its first heading is the title, the rest the body."""
    try:
        root = lxml.html.fragment_fromstring(text, create_parent="div")
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"unreadable HTML: {exc}") from None
    heading = next(iter(root.xpath("(//h1|//h2|//h3)[1]")), None)
    title = _flat(heading)
    if heading is not None:
        heading.drop_tree()
    body = lxml.html.tostring(root, encoding="unicode")
    if not title and not _flat(root):
        raise ParseError("an HTML fragment with neither a heading nor text")
    return Item(title=title, content_html=body)


def _json_item(obj: dict) -> dict | None:
    """The news item inside a JSON document (a bare item, or an API envelope's data.item); None for a feed."""
    if isinstance(obj.get("items"), list) or str(obj.get("version", "")).startswith("https://jsonfeed.org"):
        return None
    data = obj.get("data")
    if isinstance(data, dict) and isinstance(data.get("item"), dict):
        return data["item"]
    return obj["item"] if isinstance(obj.get("item"), dict) else obj


def read_item(data: bytes, *, url: str | None = None, published: datetime | None = None) -> Item:
    """The first news item of a document, cleaned; ParseError when the bytes hold none."""
    if not data.strip():
        raise ParseError("empty file")
    kind = detect(data)
    if kind == "binary":
        raise ParseError("binary file, not a news item")
    if kind == "json":
        obj = load_json(data)
        inner = _json_item(obj) if isinstance(obj, dict) else None
        if inner is not None:
            return _finish(item_from_json(inner), url, published)
    if kind == "feed" and _NEWS_XML_ROOT.search(data[:4096]):
        item = item_from_news_xml(data)
        if item is not None and (item.title or item.content_html):
            return _finish(item, url, published)
    result = parse(data, url=url)
    if result.error and kind in ("feed", "text"):
        # Not a feed, yet a news item: an HTML fragment ("<p>..."), or wire copy with no date header.
        text, _ = decode(data)
        if kind == "text":
            result = parse_wiretext(text, url=url)
        else:
            try:
                result = parse_html(text, url=url)
            except ParseError:  # the page reader wants a whole article page; a fragment is enough here
                return _finish(item_from_fragment(text), url, published)
    if result.error and not result.items:  # a broken feed whose items were recovered still has them
        raise ParseError(result.error)
    if not result.items:
        raise ParseError("no item in the document")
    item = result.items[0]
    if result.format == "wiretext" and opens_story(item.title):
        # Wire copy with no headline: its first line is the dateline paragraph, not a title.
        item = dataclasses.replace(item, title="", content_html=f"<p>{html.escape(item.title)}</p>{item.content_html}")
    return _finish(item, url, published)


def _finish(item: Item, url: str | None, published: datetime | None) -> Item:
    """The item cleaned, with the URL and published date the caller gave taking precedence."""
    item = clean_item(item)
    return dataclasses.replace(item, url=url or item.url, link=item.link or url,
                               published_at=published or item.published_at)
