"""The load writes its own SQL literals (wirefeed.sql_literals): every value is stored exactly as psycopg2's own
quoting stores it, and what psycopg2 refuses is refused too."""
import dataclasses
from datetime import date, datetime, timedelta, timezone

import pytest
from psycopg2.extras import execute_values

from wirefeed import load
from wirefeed.models import Article, Dateline, Feed, Item

NASTY = "It's a \"quote\", a back\\slash \\' and \\\\, 100% $$dollar$$ E'x' \t tab\nline \u00e9\u4e2d\U0001F600 {a,b} NULL"
COLUMNS = ", ".join(c for c in load.ITEM_COLUMNS if c != "feed_id")


def nasty_article(guid: str, **changes) -> Article:
    item = Item(guid=guid + NASTY, url="https://x.example/a?b=1&c='2'", link="https://x.example/l\\", title=NASTY,
                text=NASTY * 3 + guid, html=f"<p>{NASTY}</p>", authors=(NASTY, "", "NULL"), categories=("a\"b", "c\\d"),
                language="en", published_at=datetime(2025, 5, 20, 12, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
                updated_at=datetime(2025, 5, 21, 8, 0), flags=("clamped",))
    article = Article(item=item, title=NASTY, text=NASTY * 2, agencies=("PTI", NASTY), syndicated=True,
                      syndicated_by=NASTY, word_count=42, removed=(NASTY, "{}"),
                      dateline=Dateline(raw=NASTY, place="Ko'lkata", country_code="IN", date=date(2025, 5, 20)))
    return dataclasses.replace(article, **changes)


def stored(conn, feed_id: int) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(f"SELECT {COLUMNS} FROM items WHERE feed_id = %s ORDER BY identity", (feed_id,))
        rows = cur.fetchall()
    conn.commit()
    return rows


@pytest.mark.parametrize("conforming", ["on", "off"])
def test_values_are_stored_as_psycopg2_quotes_them(conn, conforming):
    with conn.cursor() as cur:  # off: backslashes are escapes, and the load leaves the quoting to psycopg2
        cur.execute(f"SET standard_conforming_strings = {conforming}")
    conn.commit()
    ids = load.upsert_feeds(conn, [Feed(url="https://own.example/rss", name="own"),
                                   Feed(url="https://lib.example/rss", name="lib")])
    own, lib = ids["https://own.example/rss"], ids["https://lib.example/rss"]
    articles = [nasty_article("a"), nasty_article("b", syndicated=False, dateline=None, word_count=0)]
    counts, _ = load.load_articles(conn, own, None, articles)
    assert counts.new == 2
    with conn.cursor() as cur:
        execute_values(cur, load._UPSERT_ITEMS.format(source="VALUES %s"), load.article_rows(lib, None, articles),
                       template=load._ROW_TEMPLATE)
    conn.commit()
    assert stored(conn, own) == stored(conn, lib) and len(stored(conn, own)) == 2


def test_a_nul_character_is_refused_like_psycopg2_does(conn):
    feed_id = load.upsert_feeds(conn, [Feed(url="https://nul.example/rss", name="nul")])["https://nul.example/rss"]
    with pytest.raises(ValueError, match="NUL"):
        load.load_articles(conn, feed_id, None, [nasty_article("a", title="bad\x00title")])
