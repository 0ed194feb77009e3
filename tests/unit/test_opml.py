"""OPML import/export: real reader exports, nested folders, hostile XML, and a lossless round trip."""
from __future__ import annotations

import pytest

from wirefeed.errors import ConfigError
from wirefeed.models import Feed
from wirefeed.opml import read_opml, write_opml

# The shape feed readers (Feedly, Inoreader, NetNewsWire) export: folders of outlines, mixed-case attributes.
READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="Wires" title="Wires">
      <outline type="rss" text="ANI National" title="ANI National" xmlUrl="https://aninews.in/rss/national.xml"
               htmlUrl="https://aninews.in/"/>
      <outline type="rss" text="PTI" xmlurl="https://www.ptinews.com/rss" category="/agency,india"/>
    </outline>
    <outline text="Outlets">
      <outline text="South Asia">
        <outline type="rss" title="The Hindu" xmlUrl="https://www.thehindu.com/news/feeder/default.rss" language="en"/>
      </outline>
    </outline>
    <outline type="rss" text="No folder" xmlUrl="http://example.org/feed"/>
    <outline type="rss" text="Dup" xmlUrl="http://example.org/feed"/>
    <outline type="rss" text="Local file" xmlUrl="file:///etc/passwd"/>
    <outline text="Just a note"/>
  </body>
</opml>"""


def test_reader_export_is_read_with_folders_as_tags():
    result = read_opml(READER_EXPORT)
    by_url = {f.url: f for f in result.feeds}
    assert list(by_url) == ["https://aninews.in/rss/national.xml", "https://www.ptinews.com/rss",
                            "https://www.thehindu.com/news/feeder/default.rss", "http://example.org/feed"]
    assert by_url["https://aninews.in/rss/national.xml"].name == "ANI National"
    assert by_url["https://aninews.in/rss/national.xml"].tags == ("Wires",)
    assert by_url["https://www.ptinews.com/rss"].tags == ("Wires", "agency", "india")
    assert by_url["https://www.thehindu.com/news/feeder/default.rss"].tags == ("Outlets", "South Asia")
    assert by_url["https://www.thehindu.com/news/feeder/default.rss"].language == "en"
    assert by_url["http://example.org/feed"].tags == ()
    assert any("listed twice" in s for s in result.skipped)
    assert any("file:///etc/passwd" in s for s in result.skipped)


def test_round_trip_keeps_urls_names_tags_and_language():
    feeds = [{"url": "https://a.example/rss", "name": "A & B <wire>", "tags": ["wires", "india"], "language": "hi",
              "outlet": "A", "enabled": True},
             {"url": "https://c.example/atom?x=1&y=2", "name": "C", "tags": [], "language": None, "enabled": False}]
    document = write_opml(feeds)
    assert document.startswith(b"<?xml") and b'version="2.0"' in document and b'isDisabled="true"' in document
    back = read_opml(document).feeds
    assert back == (Feed(url="https://a.example/rss", name="A & B <wire>", tags=("wires", "india"), language="hi",
                         outlet="A"),
                    Feed(url="https://c.example/atom?x=1&y=2", name="C"))


def test_entity_declarations_are_refused():
    laughs = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY ext SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&d;&ext;" xmlUrl="https://x.example/feed"/></body></opml>"""
    with pytest.raises(ConfigError, match="declaring XML entities is refused"):
        read_opml(laughs)
    billion = (b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a0 "aaaaaaaaaa">'
               + b"".join(b'<!ENTITY a%d "%s">' % (i, b"&a%d;" % (i - 1) * 10) for i in range(1, 10))
               + b']><opml version="2.0"><body><outline text="&a9;" xmlUrl="https://x.example/"/></body></opml>')
    with pytest.raises(ConfigError):
        read_opml(billion)


@pytest.mark.parametrize("data,message", [(b"", "not"), (b"<rss version='2.0'/>", "not an OPML document"),
                                          (b"<opml version='2.0'><head/></opml>", "without <body>"),
                                          (b"\x00\x01\x02", "not")])
def test_non_opml_is_a_config_error(data, message):
    with pytest.raises(ConfigError, match=message):
        read_opml(data, source="subs.opml")
