"""OPML import and export of the feed registry, as feed readers write and read it (OPML 1.0 and 2.0)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime

from lxml import etree

from wirefeed.errors import ConfigError
from wirefeed.models import Feed

# No DTDs, no entity expansion, no network: an OPML file is untrusted input.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True)


@dataclass(frozen=True)
class OpmlImport:
    """The feeds an OPML file lists, and the outlines skipped with why."""

    feeds: tuple[Feed, ...]
    skipped: tuple[str, ...] = ()


def read_opml(data: bytes, source: str = "OPML") -> OpmlImport:
    """Feeds from OPML outlines with an xmlUrl; folders and category attributes become tags."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ConfigError(f"{source}: not XML: {exc}") from None
    if root is None or etree.QName(root).localname.lower() != "opml":
        raise ConfigError(f"{source}: not an OPML document (root element is not <opml>)")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        # OPML never needs entities; declaring them is how expansion and file-inclusion attacks start.
        raise ConfigError(f"{source}: OPML declaring XML entities is refused")
    body = next((el for el in root if isinstance(el.tag, str) and etree.QName(el).localname.lower() == "body"), None)
    if body is None:
        raise ConfigError(f"{source}: OPML without <body>")
    feeds: dict[str, Feed] = {}
    skipped: list[str] = []
    _walk(body, (), feeds, skipped)
    return OpmlImport(tuple(feeds.values()), tuple(skipped))


def _walk(parent, folders: tuple[str, ...], feeds: dict[str, Feed], skipped: list[str]) -> None:
    """Collect feeds from nested outlines (a folder is an outline without xmlUrl)."""
    for outline in parent:
        if not isinstance(outline.tag, str) or etree.QName(outline).localname.lower() != "outline":
            continue
        attrs = {k.lower(): (v or "").strip() for k, v in outline.attrib.items()}
        title = attrs.get("title") or attrs.get("text") or ""
        url = attrs.get("xmlurl", "")
        if not url:
            _walk(outline, folders + ((title,) if title else ()), feeds, skipped)
            continue
        if not url.lower().startswith(("http://", "https://")):
            skipped.append(f"{url}: not an http(s) URL")
            continue
        if url in feeds:
            skipped.append(f"{url}: listed twice")
            continue
        categories = [c.strip().strip("/") for c in attrs.get("category", "").split(",") if c.strip().strip("/")]
        tags = tuple(dict.fromkeys(list(folders) + categories))
        feeds[url] = Feed(url=url, name=title or url, tags=tags, language=attrs.get("language") or None,
                          outlet=attrs.get("outlet") or None)


def write_opml(feeds: list[dict], *, title: str = "wirefeed feeds", now: datetime | None = None) -> bytes:
    """OPML 2.0 for feed rows (url, name, tags, language, outlet; disabled feeds are marked, not left out)."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(timezone.utc), usegmt=True)
    body = etree.SubElement(root, "body")
    for feed in feeds:
        outline = etree.SubElement(body, "outline", type="rss", text=feed.get("name") or feed["url"],
                                   title=feed.get("name") or feed["url"], xmlUrl=feed["url"])
        if feed.get("tags"):
            outline.set("category", ",".join(feed["tags"]))
        if feed.get("language"):
            outline.set("language", feed["language"])
        if feed.get("outlet"):
            outline.set("outlet", feed["outlet"])
        if feed.get("enabled") is False:
            outline.set("isDisabled", "true")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
