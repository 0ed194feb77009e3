"""A single HTML article page: title, text and metadata from <meta>, OpenGraph and JSON-LD NewsArticle."""
from __future__ import annotations

import json
import re
from datetime import tzinfo
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from wirefeed.errors import ParseError
from wirefeed.models import Enclosure, Item, ParseResult
from wirefeed.parse.dates import parse_date
from wirefeed.urls import absolutize_links

MIN_ARTICLE_CHARS = 250  # a page with no article markup needs at least a few sentences to count as one
_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
                  "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "report", "liveblogposting"}
_PUBLISHED_META = ("article:published_time", "og:article:published_time", "datepublished", "pubdate",
                   "publishdate", "publish-date", "date", "dc.date", "dc.date.issued", "dcterms.created",
                   "sailthru.date", "parsely-pub-date", "citation_publication_date", "article.published")
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "lastmod")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_HEADLINE = re.compile(r"<h1\b[^>]*>.*?</h1>", re.DOTALL | re.IGNORECASE)  # the title is kept apart
_TAG = re.compile(r"<[^>]*>")


def parse_html(text: str, *, url: str | None = None, tz: tzinfo | None = None) -> ParseResult:
    """One Item from an article page; ParseError when the page has neither a title nor any text."""
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        # lxml refuses str input that still carries an XML declaration (XHTML pages do).
        doc = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"unreadable HTML: {exc}") from None
    meta = _meta(doc)
    ld = _json_ld_article(doc)
    base = _first(_attr(doc, "//base/@href"), url)
    link = _first(_ld_url(ld), meta.get("og:url"), _attr(doc, "//link[@rel='canonical']/@href"), url)
    title = _first(_text(ld.get("headline")), meta.get("og:title"), meta.get("twitter:title"),
                   _node_text(doc.find(".//h1")), _node_text(doc.find(".//title")))
    published = _first_date(tz, _text(ld.get("datePublished")), *(meta.get(k) for k in _PUBLISHED_META),
                            _attr(doc, "//article//time/@datetime"), _attr(doc, "//time/@datetime"))
    updated = _first_date(tz, _text(ld.get("dateModified")), *(meta.get(k) for k in _MODIFIED_META))
    if published is None and updated is None:
        published = _first_date(tz, _htmldate(doc, link))
    body_html = _body_html(text, ld, link)
    if not title or not (_marked_as_article(doc, ld, meta) or len(_TAG.sub("", body_html)) >= MIN_ARTICLE_CHARS):
        # Error pages, parking pages and a feed URL now serving HTML are not news to store.
        raise ParseError(f"an HTML page that is neither a feed nor a news article (no title, or no article "
                         f"markup and under {MIN_ARTICLE_CHARS} characters of text)")
    image = _first(_ld_image(ld), meta.get("og:image"))
    item = Item(
        guid=None,
        link=(urljoin(base, link) if base and link else link) or None,
        title=title,
        authors=_ld_authors(ld) or tuple(filter(None, [meta.get("author") or meta.get("article:author")])),
        published_at=published or updated,
        updated_at=updated,
        summary_html=_escape(_first(_text(ld.get("description")), meta.get("og:description"),
                                    meta.get("description"))),  # plain text in every source
        content_html=absolutize_links(body_html, base or link),
        categories=_keywords(ld, meta),
        enclosures=(Enclosure(url=urljoin(base, image) if base else image, type="image"),) if image else (),
        language=_first(_text(ld.get("inLanguage")), _attr(doc, "/html/@lang"), meta.get("og:locale"),
                        meta.get("content-language")) or None,
        source=url,
    )
    return ParseResult(items=(item,), feed_title=meta.get("og:site_name", ""), feed_link=url, format="html")


def _marked_as_article(doc, ld: dict, meta: dict) -> bool:
    """True when the page says it is an article: JSON-LD, OpenGraph, microdata or an <article> element."""
    return bool(ld or meta.get("og:type", "").lower() in ("article", "news", "newsarticle")
                or "article:published_time" in meta or doc.xpath("//article | //*[contains(@itemtype, 'Article')]"))


def _meta(doc) -> dict[str, str]:
    """<meta> name/property/itemprop -> content, lower-cased keys, first occurrence wins."""
    found: dict[str, str] = {}
    for node in doc.iter("meta"):
        key = (node.get("property") or node.get("name") or node.get("itemprop") or node.get("http-equiv") or "")
        content = (node.get("content") or "").strip()
        if key and content:
            found.setdefault(key.strip().lower(), content)
    return found


def _json_ld_article(doc) -> dict:
    """The first JSON-LD object typed as a news article (looking inside @graph and lists)."""
    for script in doc.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "", strict=False)  # CMSs leave raw newlines in strings
        except (ValueError, RecursionError):
            continue  # a broken block on a page must not lose the page
        for obj in _walk(data, 0):
            types = obj.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and t.lower() in _ARTICLE_TYPES for t in types):
                return obj
    return {}


def _walk(data, depth: int):
    """Every dict of a JSON-LD block, breadth before depth, bounded."""
    if depth > 5:
        return
    if isinstance(data, list):
        for value in data:
            yield from _walk(value, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _walk(data["@graph"], depth + 1)


def _extracted_html(text: str, url: str) -> str:
    """The main text as HTML by trafilatura, without its headline; '' when it finds no article."""
    import trafilatura  # imported here: it takes most of a second, which DAG parsing should not pay

    extracted = trafilatura.extract(text, url=url or None, output_format="html", include_comments=False,
                                    include_tables=True, include_images=False, include_links=True)
    return _HEADLINE.sub("", extracted or "").strip()


def _htmldate(doc, url: str) -> str:
    """The publication date htmldate finds in the page (markup, text, URL), as YYYY-MM-DD, or ''."""
    import htmldate  # imported here for the same reason as trafilatura

    # A parsed tree, never a string: htmldate downloads a string that looks like a URL.
    return htmldate.find_date(doc, url=url or None, original_date=True, extensive_search=False) or ""


def _body_html(text: str, ld: dict, url: str) -> str:
    """The article's HTML: trafilatura's extraction, unless JSON-LD articleBody holds twice its text."""
    extracted = _extracted_html(text, url)
    article_body = _text(ld.get("articleBody"))
    if article_body and len(article_body) > 2 * len(_TAG.sub("", extracted)):
        return "".join(f"<p>{_escape(b)}</p>" for b in article_body.split("\n") if b.strip())
    return extracted


def _ld_url(ld: dict) -> str:
    """The article URL JSON-LD gives (url or mainEntityOfPage)."""
    page = ld.get("mainEntityOfPage")
    if isinstance(page, dict):
        page = page.get("@id") or page.get("url")
    return _first(_text(ld.get("url")), _text(page))


def _ld_image(ld: dict) -> str:
    """The first image URL of a JSON-LD article."""
    image = ld.get("image")
    if isinstance(image, list):
        image = image[0] if image else None
    if isinstance(image, dict):
        image = image.get("url")
    return _text(image)


def _ld_authors(ld: dict) -> tuple[str, ...]:
    """Author names of a JSON-LD article (strings, Person objects or lists of either)."""
    authors = ld.get("author")
    authors = authors if isinstance(authors, list) else [authors]
    names = (a.get("name") if isinstance(a, dict) else a for a in authors)
    return tuple(dict.fromkeys(n.strip() for n in names if isinstance(n, str) and n.strip()))


def _keywords(ld: dict, meta: dict) -> tuple[str, ...]:
    """Keywords and sections from JSON-LD, else from article:tag / keywords meta."""
    values: list[str] = []
    for key in ("keywords", "articleSection"):
        value = ld.get(key)
        if isinstance(value, str):
            values.extend(value.split(","))
        elif isinstance(value, list):
            values.extend(v for v in value if isinstance(v, str))
    if not values:
        values = (meta.get("article:tag") or meta.get("keywords") or meta.get("news_keywords") or "").split(",")
    return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))


def _first_date(tz, *candidates):
    """The first candidate that reads as a date."""
    for value in candidates:
        parsed = parse_date(value, tz) if value else None
        if parsed:
            return parsed
    return None


def _attr(doc, xpath: str) -> str:
    """The first string an XPath yields, stripped."""
    found = doc.xpath(xpath)
    return str(found[0]).strip() if found else ""


def _node_text(node) -> str:
    """An element's text with whitespace collapsed."""
    return " ".join(node.text_content().split()) if node is not None else ""


def _text(value) -> str:
    """A JSON-LD value as a string ('' when it is not one)."""
    return value.strip() if isinstance(value, str) else ""


def _first(*values) -> str:
    """The first non-empty value."""
    return next((v for v in values if v), "")


def _escape(text: str) -> str:
    """Text escaped for an HTML element."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
