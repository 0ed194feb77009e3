"""The load's COPY in the text format stores exactly what its CSV format stored: the same parsed and nasty items,
loaded both ways into two databases, give the same items table, column for column."""
import io
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace

import psycopg2
import pytest

from wirefeed import copy_text, load
from wirefeed.clean import clean_item
from wirefeed.extract import extract_article
from wirefeed.models import Article, Dateline, Feed, Fetch, Item
from wirefeed.parse import parse

from tests.conftest import FIXTURES, _fresh_database

# Every character the two formats treat specially, and text that looks like their markers.
NASTY = ("back\\slash \\\\ \\N \\t \\. tab\there cr\rlf\r\nnl\nend 'single' \"double\" \"\" ,comma; {braces} "
         "\u00e9\u4e2d\u05e9\u05dc\u05d5\u05dd\u200b\U0001F600 \x01\x0b\x0c\x1b\x7f NULL")
# Whole values that are, or once written may look like, a NULL, an empty field or the end-of-data line.
EDGES = ("", "\\N", "\\\\N", "N", "NULL", "null", "\\.", ".", "\\", "\t", "\n", "\r", "\r\n", '"', '""', ",", " ")
# Array elements with the array syntax's own characters.
ELEMENTS = ("a,b", 'q"uote', "{br}", "back\\slash", "", "NULL", " pad ", "tab\tnl\ncr\r", "\\N", "}", "{", '\\"')
# Columns filled by the server's clock, not by the load.
CLOCK = {"first_seen_at", "last_seen_at"}
ZONE = timezone(timedelta(hours=5, minutes=30))


def frozen_csv() -> SimpleNamespace:
    """The CSV writer the load used before the text format (copy_text as of 4136706), standing in for load.copy_text."""
    def text(value):
        if value is None:
            return ""
        if "\x00" in value:
            raise ValueError("A string literal cannot contain NUL (0x00) characters.")
        return '"' + value.replace('"', '""') + '"'

    def text_array(values):
        if values is None:
            return ""
        return text("{" + ",".join("NULL" if v is None else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
                                   for v in values) + "}")

    def integer(value):
        return "" if value is None else str(int(value))

    def boolean(value):
        return "" if value is None else ("t" if value else "f")

    def timestamptz(value):
        return "" if value is None else value.isoformat()

    def lines(rows, columns):
        return "".join(",".join([write(value) for write, value in zip(columns, row)]) + "\n" for row in rows)

    writers = SimpleNamespace(text=text, text_array=text_array, integer=integer, boolean=boolean,
                              timestamptz=timestamptz)
    return SimpleNamespace(OPTIONS="(FORMAT csv)", lines=lines, columns=row_columns(writers))


def row_columns(w) -> tuple:
    """load._ROW_COPY written with the functions of `w`."""
    return (w.integer, w.integer, *[w.text] * 7, w.text_array, w.text_array, w.text, w.timestamptz, w.timestamptz,
            w.text_array, w.text, w.integer, w.text, w.text_array, lambda d: w.text(load._dateline_json(d)),
            w.boolean, w.text, w.integer, w.text_array)


def nasty_articles() -> list[Article]:
    """Articles carrying the nasty strings in every text, array and JSON column, and NULLs beside empty strings."""
    out = []
    for n, edge in enumerate(EDGES):
        item = Item(guid=f"g{n}{edge}", url=f"https://x.example/{n}?q={edge}", link=None if n % 2 else edge,
                    title=edge + NASTY, text=NASTY * 3 + edge, html=f"<p>{NASTY}</p>{edge}",
                    authors=(edge, NASTY, *ELEMENTS), categories=ELEMENTS if n % 2 else (),
                    language=None if n % 3 else edge,
                    published_at=datetime(2025, 5, 20, 12, 30, n, 123456, tzinfo=ZONE) if n % 2 else None,
                    updated_at=datetime(2025, 5, 21, 8, n, tzinfo=timezone.utc), flags=("clamped", edge))
        dateline = Dateline(raw=NASTY + edge, place=edge or None, region="\\\"r\"\n", country_code="IN",
                            date=date(2025, 5, 20)) if n % 4 else None
        out.append(Article(item=item, title=NASTY + edge, text=edge + NASTY * 2, agencies=("PTI", edge, NASTY),
                           dateline=dateline, authors=() if n % 2 else (NASTY,), syndicated=bool(n % 2),
                           syndicated_by=None if n % 2 else edge, word_count=n, removed=(NASTY, edge, "{}")))
    # An array holding a NULL element beside the string "NULL".
    out.append(Article(item=Item(guid="null-element", title="t", text="x"), title="t", text="x",
                       agencies=(None, "NULL", "")))
    return out


def parsed_fetches() -> list[tuple[str, bytes, list[Article]]]:
    """The parse fixtures as the pipeline makes them: parsed, cleaned, extracted."""
    out = []
    for path in sorted((FIXTURES / "parse").iterdir()):
        body = path.read_bytes()
        result = parse(body, url=f"https://fixture.example/{path.name}")
        articles = [extract_article(clean_item(item), outlet="Fixture") for item in result.items]
        if articles:
            out.append((path.name, body, articles))
    return out


def load_all(url: str, fetches, nasty) -> None:
    """Land the fetches, then load their articles and the nasty ones as one batch of the process DAG's load."""
    conn = psycopg2.connect(url)
    try:
        feeds = load.upsert_feeds(conn, [Feed(url=f"https://{name}.example/rss", name=name)
                                         for name in [n for n, _, _ in fetches] + ["nasty"]])
        batch = []
        for name, body, articles in fetches:
            feed_id = feeds[f"https://{name}.example/rss"]
            batch.append((feed_id, load.record_fetch(conn, feed_id, Fetch(url=name, status=200, body=body)), articles))
        batch.append((feeds["https://nasty.example/rss"], None, nasty))
        load.load_fetches(conn, batch)
        conn.commit()
    finally:
        conn.close()


def items_table(url: str) -> tuple[list[bytes], list[str]]:
    """Every column of items but the clock's, as COPY writes them out ordered by id; and the columns' names."""
    buffer = io.BytesIO()
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'items' "
                        "ORDER BY ordinal_position")
            columns = [c for (c,) in cur.fetchall() if c not in CLOCK]
            cur.copy_expert(f"COPY (SELECT {', '.join(columns)} FROM items ORDER BY id) TO STDOUT", buffer)
    finally:
        conn.close()
    return buffer.getvalue().splitlines(keepends=True), columns


@pytest.fixture
def csv_db_url(pg_server_url, pg_template) -> str:
    """A second fresh, migrated database."""
    yield from _fresh_database(pg_server_url, "wf_test", pg_template)


def test_text_format_stores_what_csv_stored(db_url, csv_db_url, monkeypatch):
    fetches, nasty = parsed_fetches(), nasty_articles()
    assert sum(len(a) for _, _, a in fetches) >= 10
    copies = []
    copy_new = load._copy_new

    def spy(cur, rows):
        ids = copy_new(cur, rows)
        copies.append(ids)
        return ids

    monkeypatch.setattr(load, "_copy_new", spy)
    load_all(db_url, fetches, nasty)
    text_copies, copies[:] = list(copies), []
    csv = frozen_csv()
    with monkeypatch.context() as m:
        m.setattr(load, "copy_text", csv)
        m.setattr(load, "_ROW_COPY", csv.columns)
        load_all(csv_db_url, fetches, nasty)
    # Every row went in by the COPY under test (none through the upsert's fallback), in both loads.
    assert text_copies and None not in text_copies and None not in copies
    assert sum(map(len, text_copies)) == sum(map(len, copies)) > len(nasty)
    (text_rows, columns), (csv_rows, _) = items_table(db_url), items_table(csv_db_url)
    assert set(load.ITEM_COLUMNS) <= set(columns)
    # Line by line, so a failure shows the row that differs.
    assert len(text_rows) == sum(map(len, copies)) and text_rows == csv_rows


def test_nasty_values_read_back_as_written(db_url):
    nasty = nasty_articles()
    load_all(db_url, [], nasty)
    conn = psycopg2.connect(db_url)
    with conn.cursor() as cur:
        cur.execute("SELECT title, text, body_text, guid, link, language, authors, agencies, removed, dateline, "
                    "syndicated_by FROM items ORDER BY id")
        stored = cur.fetchall()
    conn.close()
    expected = [(a.title, a.item.text, a.text, a.item.guid, a.item.link, a.item.language,
                 list(a.authors or a.item.authors), list(a.agencies), list(a.removed),
                 None if a.dateline is None else {"raw": a.dateline.raw, "place": a.dateline.place,
                                                  "region": a.dateline.region, "country_code": "IN",
                                                  "date": "2025-05-20"},
                 a.syndicated_by) for a in nasty]
    assert stored == expected


def test_text_fields_escape_only_what_the_format_reads():
    assert copy_text.text(None) == "\\N" and copy_text.text("") == "" and copy_text.text("\\N") == "\\\\N"
    assert copy_text.text("a\\b\tc\nd\re") == "a\\\\b\\tc\\nd\\re"
    assert copy_text.text_array(["a,b", 'q"', None]) == '{"a,b","q\\\\"",NULL}'
    with pytest.raises(ValueError, match="NUL"):
        copy_text.text("a\x00b")
