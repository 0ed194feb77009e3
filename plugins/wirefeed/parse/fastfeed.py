"""A fast path for well-formed RSS 2.0, RSS 1.0 / 0.90 and Atom 1.0: lxml reads the tree, and feed and entries come
out as the dicts feedparser would build for them, so the same mapping to Items applies.

Only what is reproduced exactly is read here; anything else (entity declarations, a document feedparser's
strict parser rejects, an element whose feedparser handler is not mirrored below, markup feedparser would
flatten...) makes `fast_parse` return None and feedparser reads the document. The rules mirror feedparser 6's
strict parser (mixin.unknown_starttag / pop, namespaces/_base.py), which is why some of them look odd;
tests/unit/test_parse_fast.py runs both paths over every corpus file the fast path takes.
"""
from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlparse

from feedparser.api import StrictFeedParser
from feedparser.encodings import convert_to_utf8
from feedparser.exceptions import ThingsNobodyCaresAboutButMe
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.sanitizer import replace_doctype
from feedparser.urls import _urljoin, make_safe_absolute_uri
from lxml import etree

_ATOM = "http://www.w3.org/2005/Atom"
_XML_NS = "{http://www.w3.org/XML/1998/namespace}"
_XML_LANG = _XML_NS + "lang"
_XML_BASE = _XML_NS + "base"
_XML_ATTRIBUTES = {_XML_LANG, _XML_BASE}
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_ABOUT = f"{{{_RDF}}}about"
_RSS10 = "http://purl.org/rss/1.0/"
_RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
# Namespaces that set feedparser's version when declared on the root (mixin.track_namespace).
_RDF_VERSIONS = {_RSS10, _RSS090}
_PREFIXES = {uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()}
_RSS_VERSIONS = {"0.91": "rss091u", "0.92": "rss092", "0.93": "rss093", "0.94": "rss094"}
_TEXT_TYPES = {"text/plain", "text/html"}
_C1_CONTROLS = re.compile("[\x80-\x9f]")
_ENTITY_IN_LINK = re.compile("&([A-Za-z0-9_]+);")
_FIRST_ELEMENT = re.compile(rb"<\w")
# URLs urllib's urljoin hands back untouched: absolute http(s) that its split and unsplit leave as they are
# (no whitespace or controls, no fragment, no ; params, no empty query, no IPv6 brackets, no extra slashes)...
_PLAIN_HTTP_URL = re.compile(r"https?://[^\x00-\x20\x7f/?#\[\]]+(?:/[^\x00-\x20\x7f?#;]*)?(?:\?[^\x00-\x20\x7f#]+)?\Z")
# ...and URIs of a scheme other than the base's without an authority part (urn:, tag:, mailto:...).
_OTHER_SCHEME_URI = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):(?!//)[^\x00-\x20\x7f]*\Z")
_MAX_CACHED_TAGS = 4096

# The dict keys the Item mapping reads (feed.py); an unmapped element writing one of them is not reproduced.
_ENTRY_KEYS = {"id", "link", "links", "title", "title_detail", "authors", "author", "author_detail", "published",
               "updated", "summary", "summary_detail", "content", "tags", "enclosures", "media_content",
               "media_thumbnail", "language"}
_FEED_KEYS = {"title", "title_detail", "link", "links", "language", "authors", "author", "author_detail"}
# Elements feedparser has handlers for that only write keys nobody reads (their text is not even needed).
_INERT = {"rights", "copyright", "dc_rights", "created", "dcterms_created", "expirationdate", "dcterms_valid",
          "webmaster", "dc_publisher", "generator", "info", "feedburner_browserfriendly", "subtitle", "tagline",
          "cloud", "itunes_subtitle", "itunes_image", "itunes_explicit", "itunes_block", "media_credit",
          "media_rating", "media_restriction", "media_license", "media_player", "source"}
# ...and at feed level also these (they only touch feed-level dates and tags); itunes:category with its subtree.
_FEED_INERT = _INERT | {"published", "pubdate", "issued", "dcterms_issued", "updated", "modified",
                        "lastbuilddate", "dc_date", "dcterms_modified", "category", "dc_subject", "keywords",
                        "itunes_category", "itunes_keywords", "newlocation"}
_FEED_INERT_SUBTREES = {"itunes_category"}
# What an image / textinput may hold without feedparser leaving that context early (mixin.unknown_starttag).
_IMAGE_CHILDREN = {"title", "link", "description", "url", "width", "height"}
_TEXTINPUT_CHILDREN = {"title", "link", "description", "name"}
_AUTHOR_CHILDREN = {"name": "name", "email": "email", "uri": "href", "url": "href", "homepage": "href"}
_OWNER_CHILDREN = {"itunes_name": "name", "itunes_email": "email", "name": "name", "email": "email"}
_KEYS: dict[tuple[str, str | None], str] = {}
_SCHEMES: dict[str, str] = {}


class Unsupported(Exception):
    """Something the fast path does not reproduce exactly: feedparser reads the document instead."""


class FastParse(NamedTuple):
    """What feed.py needs of a parse: feed-level dict, entry dicts, format string."""

    feed: dict
    entries: list
    version: str


class _Authors:
    """Just enough of feedparser's parser for its author helpers to run on one of our dicts."""

    __slots__ = ("context",)
    _sync_author_detail = _FeedParserMixin._sync_author_detail
    _save_author = _FeedParserMixin._save_author

    def __init__(self, context: dict):
        self.context = context

    def _get_context(self) -> dict:
        """The dict the helpers write to."""
        return self.context


def fast_parse(data: bytes, url: str | None, content_type: str | None) -> FastParse | None:
    """Feed and entry dicts as feedparser would build them, or None when feedparser must read the document."""
    headers = {"content-type": content_type} if content_type else {}
    if url:
        headers["content-location"] = url
    result: dict = {}
    try:
        data = convert_to_utf8(headers, data, result)  # the very bytes and encoding feedparser would parse
    except (LookupError, ValueError):
        return None
    if not result.get("encoding") or (result.get("bozo") and not isinstance(result.get("bozo_exception"),
                                                                          ThingsNobodyCaresAboutButMe)):
        return None  # feedparser's loose parser, or a problem it reports; its warnings change nothing it reads
    doctype_version, data, _ = replace_doctype(data)  # the DOCTYPE dropped as feedparser drops it
    first = _FIRST_ELEMENT.search(data)
    head = data[:first.start()] if first else data
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        return None  # entity declarations feedparser keeps: leave them to it
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    try:
        fast = _Document(url or "").read(root)
    except Unsupported:
        return None
    return fast._replace(version=doctype_version) if doctype_version else fast  # Netscape's RSS 0.91


def _next_base(base: str, xml_base: str | None = None) -> str:
    """feedparser's base inside an element, from its parent's base and its own xml:base (unknown_starttag)."""
    if base:
        return make_safe_absolute_uri(base, xml_base or base) or base
    return _urljoin(base, xml_base or "")


def _settled(base: str) -> str:
    """A base that elements without xml:base leave as it is, and that urlparse accepts (else Unsupported)."""
    if _next_base(base) != base:
        raise Unsupported("base URI not stable")
    try:
        _scheme(base)
    except ValueError:  # urljoin fails on every link: leave that to feedparser
        raise Unsupported("base URI urlparse rejects") from None
    return base


def join(base: str, uri: str) -> str:
    """feedparser's _urljoin(base, uri), without its two urlparse calls for URIs it would return unchanged.

    `base` must be one urlparse accepts (_settled checks).
    """
    if uri.isascii():
        if _PLAIN_HTTP_URL.match(uri):
            return uri
        other = _OTHER_SCHEME_URI.match(uri)
        if other and other.group(1).lower() != _scheme(base):
            return uri
    return _urljoin(base, uri)


def _scheme(base: str) -> str:
    """The scheme urlparse finds in a base (cached: one base per document)."""
    scheme = _SCHEMES.get(base)
    if scheme is None:
        scheme = urlparse(base).scheme
        if len(_SCHEMES) < _MAX_CACHED_TAGS:
            _SCHEMES[base] = scheme
    return scheme


def _key(element) -> str:
    """feedparser's name for an element: namespace prefix mapped to its standard one, then '_', local name."""
    tag = element.tag
    cache_key = (tag, element.prefix)
    key = _KEYS.get(cache_key)
    if key is None:
        key = _compute_key(tag, element.prefix)
        if len(_KEYS) < _MAX_CACHED_TAGS:
            _KEYS[cache_key] = key
    return key


def _compute_key(tag: str, given_prefix: str | None) -> str:
    """The uncached work of _key."""
    namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    lower = namespace.lower()
    prefix = "" if "backend.userland.com/rss" in lower else _PREFIXES.get(lower)
    if prefix is None:  # an unknown namespace: feedparser keeps the declared prefix
        if not given_prefix:
            raise Unsupported(f"element in an unknown default namespace: {tag}")
        prefix = given_prefix
    local = local.lower()
    return f"{prefix}_{local}" if prefix else local


def _has_handler(key: str) -> bool:
    """True when feedparser has its own start or end handler for the element."""
    return hasattr(StrictFeedParser, "_start_" + key) or hasattr(StrictFeedParser, "_end_" + key)


def _attributes(element) -> dict:
    """Attributes as the strict parser hands them over: names lowercased, rel and type values too.

    xml:base and xml:lang are left out: _Document._scope applies them.
    """
    attrs = {}
    for name, value in element.attrib.items():
        if name in _XML_ATTRIBUTES:
            continue
        if name.startswith("{"):
            raise Unsupported(f"namespaced attribute {name}")  # rdf:about, thr:count... (also read unprefixed)
        name = name.lower()
        if name in ("base", "lang"):
            raise Unsupported(f"{name} attribute")  # feedparser reads these as xml:base / xml:lang
        attrs[name] = value.lower() if name in ("rel", "type") else value
    return attrs


def _text(element) -> str:
    """The text of a leaf element, stripped (elements inside are not reproduced)."""
    if len(element):
        raise Unsupported(f"markup inside {element.tag}")
    return (element.text or "").strip()


def _own_text(element) -> str:
    """The text directly inside an element that has children, stripped."""
    return "".join([element.text or "", *(child.tail or "" for child in element)]).strip()


def _repaired(value: str) -> str:
    """feedparser's last touches on stored text: UTF-8 read as Latin-1 undone, C1 controls read as cp1252."""
    if value.isascii():
        return value
    try:
        value = value.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    return value.translate(_cp1252) if _C1_CONTROLS.search(value) else value


def _map_content_type(value: str) -> str:
    """feedparser's short content types spelled out."""
    return _FeedParserMixin.map_content_type(value)


def _enforce_href(attrs: dict) -> dict:
    """url / uri attributes renamed href, as feedparser does for links and enclosures."""
    return _FeedParserMixin._enforce_href(attrs)


def _store(context: dict, depths: dict, key: str, value, depth: int) -> None:
    """Entry-level store: a value found deeper does not replace one found higher up (mixin.pop)."""
    old = depths.get(key)
    if old is None or depth <= old:
        depths[key] = depth
        context[key] = value


class _Document:
    """One walk over the tree, with the little parser state feedparser's output depends on."""

    def __init__(self, base: str):
        self.base = base  # feedparser's baseuri and lang where the walk is
        self.lang: str | None = None
        self.atom = False
        self.has_content = False
        self.titles = 0

    def read(self, root) -> FastParse:
        """The feed and its entries, from the root element down."""
        key = _key(root)
        declared = {uri.lower() for uri in root.nsmap.values()}
        feed: dict = {}
        entries: list = []
        self.base = _settled(_next_base(self.base, root.get(_XML_BASE)))  # nothing follows the root's end
        self._scope(root)
        if self.lang and root.tag != f"{{{_RDF}}}RDF":  # feedparser compares 'rdf:RDF' to a lowercased name
            feed["language"] = self.lang
        attrs = _attributes(root)
        if root.tag == f"{{{_RDF}}}RDF":
            version = _rdf_version(root.nsmap)
            self._rdf_children(root, feed, entries)
        elif declared & _RDF_VERSIONS:
            raise Unsupported("RSS 1.0 / 0.90 namespace on an RSS or Atom root")
        elif key == "rss" and root.tag == "rss":
            version = _RSS_VERSIONS.get(attrs.get("version", ""))
            version = version or ("rss20" if attrs.get("version", "").startswith("2.") else "rss")
            channels = [child for child in root]
            if len(channels) != 1 or _key(channels[0]) != "channel" or _attributes(channels[0]):
                raise Unsupported("an RSS root holds one plain channel")
            self._scope(channels[0])
            self._feed_children(channels[0], feed, entries, depth=3)
        elif key == "feed" and root.tag == f"{{{_ATOM}}}feed":
            version = "atom10"
            self.atom = True
            self._feed_children(root, feed, entries, depth=2)
        else:
            raise Unsupported(f"root element {root.tag}")
        return FastParse(feed, entries, version)

    # --- feed level --------------------------------------------------------------------------------

    def _scope(self, element) -> tuple[str, str | None] | None:
        """Enter an element's xml:base / xml:lang as feedparser does; what to restore after it (None: nothing)."""
        if not element.attrib:
            return None
        xml_base, lang = element.get(_XML_BASE), element.get(_XML_LANG)
        if xml_base is None and lang is None:
            return None
        saved = (self.base, self.lang)
        if xml_base is not None and element.getparent() is not None:
            if not self.base:
                raise Unsupported("xml:base under an empty base")  # feedparser would not restore it afterwards
            self.base = _settled(_next_base(self.base, xml_base))
        if lang is not None:
            self.lang = lang.replace("_", "-") if lang else None
        return saved

    def _rdf_children(self, root, feed: dict, entries: list) -> None:
        """RSS 1.0 / 0.90: one channel, then items, image and textinput beside it."""
        channels = 0
        for element in root:
            saved = self._scope(element)
            key = _key(element)
            if key == "channel":
                channels += 1
                if channels > 1 or set(element.attrib) - _XML_ATTRIBUTES - {_RDF_ABOUT}:
                    raise Unsupported("a second channel, or CDF attributes on it")
                self._feed_children(element, feed, entries, depth=3)
            elif key == "item":
                entries.append(self._entry(element, 2))
            elif key in ("image", "textinput"):
                self._skip_container(element, _IMAGE_CHILDREN if key == "image" else _TEXTINPUT_CHILDREN)
            else:
                raise Unsupported(f"{element.tag} beside the channel")
            if saved:
                self.base, self.lang = saved

    def _feed_children(self, parent, feed: dict, entries: list, depth: int) -> None:
        """The children of a channel (RSS) or feed (Atom) element."""
        for element in parent:
            saved = self._scope(element)
            self._feed_child(element, feed, entries, depth)
            if saved:
                self.base, self.lang = saved

    def _feed_child(self, element, feed: dict, entries: list, depth: int) -> None:
        """One element of the channel or feed."""
        key = _key(element)
        if key in ("item", "entry"):
            entries.append(self._entry(element, depth))
        elif key in ("title", "dc_title"):
            self.titles += 1
            if self.titles > 1:
                raise Unsupported("second feed title")
            self._title(element, feed)
        elif key == "link":
            self._link(element, feed, in_entry=False)
        elif key in ("id", "guid"):
            self._guid(element, feed, None, depth)
        elif key in ("author", "dc_creator", "dc_author", "managingeditor", "itunes_author"):
            self._author(element, feed, None, depth)
        elif key in ("language", "dc_language"):
            feed["language"] = _repaired(_text(element))
        elif key in ("description", "summary", "itunes_summary"):
            self._feed_summary(element, feed, key)
        elif key == "itunes_owner":
            self._owner(element, feed)
        elif key in ("image", "textinput"):
            self._skip_container(element, _IMAGE_CHILDREN if key == "image" else _TEXTINPUT_CHILDREN)
        elif key in _FEED_INERT:
            if key not in _FEED_INERT_SUBTREES and len(element):
                raise Unsupported(f"markup inside {element.tag}")
        else:
            self._unknown(element, key, feed, None, depth, _FEED_KEYS)

    def _feed_summary(self, element, feed: dict, key: str) -> None:
        """A feed-level description / summary: only the state it leaves matters (a summary key, hasContent)."""
        if len(element):
            raise Unsupported(f"markup inside {element.tag}")
        if "summary" in feed and not self.has_content:
            self.has_content = True  # read as content, and feedparser resets that only at the end of an item
        elif key == "description":
            return  # the feed's subtitle
        feed["summary"] = feed.get("summary", "")  # present is all that counts: its text is never read

    def _skip_container(self, element, allowed: set[str]) -> None:
        """An image or textinput: its own context, harmless while it holds only what feedparser expects."""
        for child in element:
            if _key(child) not in allowed or len(child) or child.attrib:
                raise Unsupported(f"{child.tag} inside {element.tag}")

    # --- entries -----------------------------------------------------------------------------------

    def _entry(self, element, depth: int) -> dict:
        """One item / entry as feedparser's entry dict (the keys the Item mapping reads)."""
        about = element.get(_RDF_ABOUT)
        if set(element.attrib) - _XML_ATTRIBUTES - {_RDF_ABOUT}:
            raise Unsupported("attributes on an item")  # CDF lastmod / href...
        entry: dict = {"id": about} if about else {}  # feedparser's _start_item takes rdf:about as the id
        depths: dict = {}
        for child in element:
            self._entry_child(child, entry, depths, depth + 1)
        self.has_content = False  # feedparser's _end_item (not its start)
        links = entry.get("links", [])
        entry["enclosures"] = [{k: v for k, v in link.items() if k != "rel"} for link in links
                               if link["rel"] == "enclosure"]
        if "updated" not in entry and "published" in entry:
            entry["updated"] = entry["published"]  # FeedParserDict's fallback, which feed.py relies on
        return entry

    def _entry_child(self, element, entry: dict, depths: dict, depth: int) -> None:
        """One element inside an entry, in its own xml:base / xml:lang."""
        saved = self._scope(element)
        self._entry_element(element, entry, depths, depth)
        if saved:
            self.base, self.lang = saved

    def _entry_element(self, element, entry: dict, depths: dict, depth: int) -> None:
        """What one element inside an entry contributes to it."""
        key = _key(element)
        if key in ("title", "dc_title"):
            if "title" in depths:
                raise Unsupported("second entry title")
            depths["title"] = depth
            self._title(element, entry)
        elif key == "link":
            self._link(element, entry, in_entry=True)
        elif key in ("id", "guid"):
            self._guid(element, entry, depths, depth)
        elif key in ("published", "pubdate", "issued", "dcterms_issued"):
            _store(entry, depths, "published", _repaired(_text(element)), depth)
        elif key in ("updated", "modified", "lastbuilddate", "dc_date", "dcterms_modified"):
            _store(entry, depths, "updated", _repaired(_text(element)), depth)
        elif key in ("author", "dc_creator", "dc_author", "managingeditor", "itunes_author"):
            self._author(element, entry, depths, depth)
        elif key in ("description", "summary", "itunes_summary"):
            self._summary(element, entry, depths, depth, "text/html" if key == "description" else "text/plain")
        elif key in ("content_encoded", "fullitem"):
            self._content(element, entry, "text/html")
        elif key == "content":
            self._content(element, entry, "text/plain")
        elif key in ("category", "dc_subject", "keywords"):
            self._category(element, entry)
        elif key == "enclosure":
            if len(element):
                raise Unsupported("markup inside an enclosure")
            attrs = _enforce_href(_attributes(element))
            attrs["rel"] = "enclosure"
            entry.setdefault("links", []).append(attrs)
        elif key in ("language", "dc_language"):
            _store(entry, depths, "language", _repaired(_text(element)), depth)
        elif key == "media_content":
            if len(element):
                raise Unsupported("markup inside media:content")
            entry.setdefault("media_content", []).append(_attributes(element))
        elif key == "media_thumbnail":
            self._thumbnail(element, entry)
        elif key == "media_group":  # feedparser reads its children as the entry's own
            for child in element:
                self._entry_child(child, entry, depths, depth + 1)
        elif key in _INERT:
            if len(element):
                raise Unsupported(f"markup inside {element.tag}")
        else:
            self._unknown(element, key, entry, depths, depth, _ENTRY_KEYS)

    # --- element handlers (namespaces/_base.py) ----------------------------------------------------

    def _content_params(self, element, default_type: str) -> dict:
        """push_content's contentparams: type, language, base (only text types are reproduced)."""
        attrs = _attributes(element)
        content_type = _map_content_type(attrs.get("type", default_type))
        if content_type not in _TEXT_TYPES or "mode" in attrs:
            raise Unsupported(f"content type {content_type}")
        return {"type": content_type, "language": self.lang, "base": self.base}

    def _html_guess(self, params: dict, value: str) -> None:
        """RSS text that looks like HTML is typed HTML (mixin.pop)."""
        if not self.atom and params["type"] == "text/plain" and _FeedParserMixin.looks_like_html(value):
            params["type"] = "text/html"

    def _title(self, element, context: dict) -> None:
        """title / dc:title: the text and its details."""
        params = self._content_params(element, "text/plain")
        value = _text(element)
        self._html_guess(params, value)
        value = _repaired(value)
        context["title"] = value
        params["value"] = value
        context["title_detail"] = params

    def _link(self, element, context: dict, in_entry: bool) -> None:
        """link: Atom's href form or RSS's text form (_start_link, mixin.pop)."""
        attrs = _attributes(element)
        attrs.setdefault("rel", "alternate")
        attrs.setdefault("type", "application/atom+xml" if attrs["rel"] == "self" else "text/html")
        attrs = _enforce_href(attrs)
        if "href" in attrs:
            attrs["href"] = join(self.base, attrs["href"])
        links = context.setdefault("links", [])
        links.append(attrs)
        if "href" in attrs:
            if attrs["rel"] == "alternate" and _map_content_type(attrs["type"]) in _FeedParserMixin.html_types:
                context["link"] = attrs["href"]
            return
        value = _text(element)
        if value:
            value = join(self.base, value)
        value = _repaired(value)
        if in_entry:
            value = _ENTITY_IN_LINK.sub(r"&\g<1>", value.replace("&amp;", "&"))
            context["link"] = value
            if value:
                links[-1]["href"] = value
        else:
            value = _ENTITY_IN_LINK.sub(r"&\g<1>", value)
            context["link"] = value
            links[-1]["href"] = value

    def _guid(self, element, context: dict, depths: dict | None, depth: int) -> None:
        """guid / id: a permalink guid is resolved and stands in for a missing link (_end_guid)."""
        is_link = _attributes(element).get("ispermalink", "true") == "true"
        value = _text(element)
        if value and is_link:
            value = join(self.base, value)
        value = _repaired(value)
        if depths is None:
            context["id"] = value
        else:
            _store(context, depths, "id", value, depth)
        if is_link:
            context.setdefault("link", value)

    def _author(self, element, context: dict, depths: dict | None, depth: int) -> None:
        """author / dc:creator...: an authors entry, from its text or Atom's name / email / uri children."""
        authors = _Authors(context)
        context.setdefault("authors", []).append({})
        if len(element):
            for child in element:
                field = _AUTHOR_CHILDREN.get(_key(child))
                if field is None or _attributes(child):
                    raise Unsupported(f"{child.tag} inside an author")
                saved = self._scope(child)
                value = _text(child)
                if field == "href":  # feedparser stores it as the context's href too, resolved
                    value = _repaired(join(self.base, value) if value else value)
                    if depths is None:
                        context["href"] = value
                    else:
                        _store(context, depths, "href", value, depth + 1)
                if saved:
                    self.base, self.lang = saved
                authors._save_author(field, value)
            value = _repaired(_own_text(element))
        else:
            value = _repaired(_text(element))
        if depths is None:
            context["author"] = value
        else:
            _store(context, depths, "author", value, depth)
        authors._sync_author_detail()

    def _owner(self, element, feed: dict) -> None:
        """itunes:owner: feedparser's publisher helpers also write its name / email into the feed's authors."""
        authors = _Authors(feed)
        for child in element:
            field = _OWNER_CHILDREN.get(_key(child))
            if field is None or child.attrib:
                raise Unsupported(f"{child.tag} inside itunes:owner")
            authors._save_author(field, _text(child), "publisher")
        authors._sync_author_detail("publisher")

    def _summary(self, element, entry: dict, depths: dict, depth: int, default_type: str) -> None:
        """description / summary: the entry summary, unless feedparser would take it for content."""
        if "summary" in entry and not self.has_content:
            self._content(element, entry, "text/plain")  # a second summary is content to feedparser
            return
        params = self._content_params(element, default_type)
        value = _text(element)
        self._html_guess(params, value)
        value = _repaired(value)
        _store(entry, depths, "summary", value, depth)
        params["value"] = value
        entry["summary_detail"] = params

    def _content(self, element, entry: dict, default_type: str) -> None:
        """content:encoded / Atom content: a content block, also the summary when there is none."""
        self.has_content = True
        params = self._content_params(element, default_type)
        value = _text(element)
        self._html_guess(params, value)
        value = _repaired(value)
        params["value"] = value
        entry.setdefault("content", []).append(params)
        entry.setdefault("summary", value)  # text and HTML content is copied to a missing summary

    def _category(self, element, context: dict) -> None:
        """category / dc:subject: a tag from the term attribute and/or the text (_start/_end_category)."""
        attrs = _attributes(element)
        tags = context.setdefault("tags", [])
        _add_tag(tags, attrs.get("term"), attrs.get("scheme", attrs.get("domain")), attrs.get("label"))
        value = _repaired(_text(element))
        if not value:
            return
        if tags and not tags[-1]["term"]:
            tags[-1]["term"] = value
        else:
            _add_tag(tags, value, None, None)

    def _thumbnail(self, element, entry: dict) -> None:
        """media:thumbnail: its attributes, the URL from the text when the attribute is missing."""
        attrs = _attributes(element)
        entry.setdefault("media_thumbnail", []).append(attrs)
        value = _text(element)
        if value:
            value = join(self.base, value)
        value = _repaired(value)
        if value.strip() and "url" not in attrs:
            attrs["url"] = value

    def _unknown(self, element, key: str, context: dict, depths: dict | None, depth: int, read: set[str]) -> None:
        """An element feedparser has no handler for: stored under its name, children read in the same context."""
        if _has_handler(key):
            raise Unsupported(f"element {element.tag} ({key}) not mirrored")
        if key in read:
            raise Unsupported(f"unmapped element {element.tag} writes {key}")
        for child in element:
            child_key = _key(child)
            if child_key in ("item", "entry") or _has_handler(child_key):
                raise Unsupported(f"{child.tag} inside {element.tag}")
            self._unknown(child, child_key, context, depths, depth + 1, read)
        if key not in ("feedburner_origlink", "ttl"):
            return  # feed.py reads no other unmapped key
        if element.attrib:  # xml:lang counts too: feedparser then stores the attributes, not the text
            context[key] = dict(element.attrib)
            return
        value = _repaired(_own_text(element))
        if depths is None:
            context[key] = value
        else:
            _store(context, depths, key, value, depth)


def _rdf_version(namespaces: dict) -> str:
    """feedparser's version of an RDF document, from the namespaces its root declares (track_namespace)."""
    versions = set()
    for prefix, uri in namespaces.items():
        lower = uri.lower()
        if prefix is None and lower == _RSS090:
            versions.add("rss090")
        elif lower == _RSS10:
            versions.add("rss10")
        elif lower == _ATOM.lower():
            versions.add("atom10")
    if len(versions) != 1 or "atom10" in versions:
        raise Unsupported(f"RDF root declaring {sorted(versions) or 'no RSS namespace'}")  # order would decide
    return versions.pop()


def _add_tag(tags: list, term, scheme, label) -> None:
    """A tag added once (mixin._add_tag)."""
    if not term and not scheme and not label:
        return
    value = {"term": term, "scheme": scheme, "label": label}
    if value not in tags:
        tags.append(value)
