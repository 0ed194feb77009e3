"""Every corpus feed through parse + clean: no crash, expected counts and values, hostile input defused."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import feedparser
import pytest

from tests.conftest import CORPORA
from tests.corpus.scoring import score
from wirefeed.clean import clean_item, clean_line, html_to_text
from wirefeed.errors import ParseError
from wirefeed.parse import parse
from wirefeed.parse.dates import parse_date
from wirefeed.parse.jsonfeed import load_json

FEEDS = CORPORA / "feeds"
HOSTILE = CORPORA / "hostile"
pytestmark = pytest.mark.skipif(not FEEDS.is_dir(), reason=f"corpus not found at {CORPORA}")

# Files the suites ship that are not feeds at all (fragments, JSON models, expected outputs, empty or
# unknown documents): for these a clear error is the right answer.
NOT_FEEDS = re.compile(r"(_expected\.json|/_expectations\.json|/rss-parser/output/|/gofeed/extensions/.*\.json|"
                       r"/gofeed/parser/(?:rss|atom)/issue_.*\.json|FirstEntry|/unknown_feed|/empty_feed|invalid\.json|"
                       r"/ScriptingNews\.json|-partial\.json|/notafeed|/rss_empty_document|/unrecognized\.rss|"
                       r"/testdata/xml/iso88591|_2\.xml$)")


def _corpus_files() -> list[Path]:
    """Every feed document of the corpus (expectation files excluded)."""
    return sorted(p for p in FEEDS.rglob("*") if p.is_file() and not p.name.endswith((".md", "_expectations.json"))
                  and "_expected" not in p.name and "/rss-parser/output/" not in str(p))


def _run(path: Path, url: str | None = None, content_type: str | None = None):
    """parse + clean one file, as the pipeline does."""
    result = parse(path.read_bytes(), url=url, content_type=content_type)
    return result, [clean_item(item) for item in result.items]


def test_every_feed_file_parses_without_crash_and_quickly():
    """No exception escapes parse/clean for any of the ~700 files; real feeds yield items or a clear error."""
    crashes, slow = score("all files: no crash"), []
    readable = score("all files: feed files yield items")
    files = _corpus_files()
    assert len(files) > 600
    for path in files:
        name = str(path.relative_to(FEEDS))
        started = time.monotonic()
        try:
            result, items = _run(path)
        except Exception as exc:  # the point of the test: nothing may escape
            crashes.record(False, f"{name}: {exc.__class__.__name__}: {exc}")
            continue
        crashes.record(True, name)
        if time.monotonic() - started > 5:
            slow.append(name)
        if result.error and not result.items:
            assert result.error.strip(), name
        if not NOT_FEEDS.search("/" + name) and result.format != "html":
            readable.record(bool(items) or (not result.error and result.format not in ("", "xml")),
                            f"{name}: {result.error or 'no items'}")
    assert crashes.rate == 1.0, crashes.report("no crash")
    assert not slow, f"took over 5 s: {slow}"
    assert readable.rate >= 0.97, readable.report("feed files yield items")


# --- feedparser's own fixtures -------------------------------------------------------------------

_EXPECTATIONS = FEEDS / "feedparser" / "_expectations.json"
_BOZO_CLAUSE = re.compile(r"^\s*(?:not\s+)?bozo\s+and\s+")
_MAPPED_ENTRY_KEYS = {"title", "link", "id", "published_parsed", "updated_parsed", "tags", "author", "enclosures"}
_MAPPED_FEED_KEYS = {"title"}
# What the fixtures' expressions use: a few builtins and the feedparser module (exception classes).
_EVAL_GLOBALS = {"__builtins__": {"len": len, "ord": ord, "isinstance": isinstance, "locals": locals},
                 "feedparser": feedparser}


class Unmapped(Exception):
    """The expectation reads a field our Item has no counterpart for."""


class _View(dict):
    """feedparser's dict-or-attribute access over our values; unmapped keys raise Unmapped."""

    def __init__(self, values: dict, mapped: set[str]):
        super().__init__(values)
        self._mapped = mapped

    def __getitem__(self, key):
        if key not in self._mapped:
            raise Unmapped(key)
        return dict.__getitem__(self, key)

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        return self[key]

    def get(self, key, default=None):
        """dict.get with the same unmapped rule."""
        if key not in self._mapped:
            raise Unmapped(key)
        return dict.get(self, key, default)


def _headers(spec) -> dict:
    """The HTTP headers a feedparser fixture simulates ("Content-type: text/xml" strings)."""
    items = spec if isinstance(spec, list) else [spec] if spec else []
    return {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in items)}


def _entry_view(item) -> _View:
    """One of our Items seen through feedparser's entry vocabulary."""
    values = {"title": item.title, "link": item.link, "id": item.guid,
              "tags": [_View({"term": c}, {"term"}) for c in item.categories],
              "enclosures": [_View({"href": e.url, "type": e.type, "length": e.length}, {"href", "type", "length"})
                             for e in item.enclosures]}
    if item.published_at:
        values["published_parsed"] = item.published_at.utctimetuple()
    if item.updated_at:
        values["updated_parsed"] = item.updated_at.utctimetuple()
    if item.authors:
        values["author"] = item.authors[0]
    return _View({k: v for k, v in values.items() if v is not None}, _MAPPED_ENTRY_KEYS)


def test_feedparser_fixtures():
    """feedparser's `Expect:` lines: on the bytes feedparser gets from us, and mapped onto our Items."""
    expectations = json.loads(_EXPECTATIONS.read_text())
    backend, ours = score("feedparser: expectations (backend)"), score("feedparser: mapped to our Items")
    for file, spec in expectations.items():
        expect = spec.get("expect")
        if not expect:
            continue
        path = CORPORA / file
        headers = _headers(spec.get("header"))
        if path.name.startswith("http_"):  # feedparser's harness serves these from a local server
            headers.setdefault("content-location", f"http://127.0.0.1:8097/{file}")
        data = path.read_bytes()
        parsed = feedparser.parse(data, response_headers=headers)
        try:
            ok = bool(eval(expect, _EVAL_GLOBALS, dict(parsed)))  # noqa: S307 - the suite's own fixture
        except Exception as exc:
            ok, expect = False, f"{expect} raised {exc!r}"
        backend.record(ok, f"{file}: {expect}")
        result = parse(data, url=headers.get("content-location"), content_type=headers.get("content-type"))
        env = {"entries": [_entry_view(i) for i in result.items],
               "feed": _View({"title": result.feed_title}, _MAPPED_FEED_KEYS)}
        try:
            ok = bool(eval(_BOZO_CLAUSE.sub("", spec["expect"]), _EVAL_GLOBALS, env))  # noqa: S307
        except (Unmapped, NameError):
            continue  # encoding, namespaces, sanitizer output...: nothing of ours to compare with
        except (KeyError, IndexError, AttributeError, TypeError) as exc:
            ok = False
            expect = f"{spec['expect']} raised {exc!r}"
        ours.record(ok, f"{file}: {spec['expect']}")
    assert backend.rate >= 0.95, backend.report("feedparser backend")
    assert ours.checked >= 40 and ours.rate >= 0.85, ours.report("feedparser mapped")
