"""`wirefeed parse`: JSON lines per item with the input as given, one stderr line per failing input."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from wirefeed.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "parse"


def _lines(text: str) -> list[dict]:
    """stdout as parsed JSON lines."""
    return [json.loads(line) for line in text.splitlines()]


def test_every_item_of_every_input_is_one_json_line_with_its_source(capsys):
    feed, wire = str(FIXTURES / "feed.json"), str(FIXTURES / "wire_export.txt")
    assert main(["parse", "--json", feed, wire]) == 0
    out = capsys.readouterr()
    records = _lines(out.out)
    assert [r["source"] for r in records] == [feed, feed, wire]
    assert records[0]["url"] == "https://json.example.net/articles/1"
    assert records[0]["published_at"] == "2025-05-20T07:00:00+00:00"
    assert records[2]["text"].startswith("ANI\n\nMay 20, 2025\n\nTel Aviv [Israel]")
    assert out.err == ""


def test_a_failing_input_is_named_on_stderr_and_the_others_still_print(capsys, tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01\x02 not a feed")
    missing = str(tmp_path / "missing.xml")
    good = str(FIXTURES / "atom_xml_base.xml")
    assert main(["parse", missing, str(junk), good]) == 1
    out = capsys.readouterr()
    assert [r["source"] for r in _lines(out.out)] == [good]
    errors = out.err.splitlines()
    assert errors == [f"wirefeed parse: {missing}: No such file or directory",
                      f"wirefeed parse: {junk}: not a feed: binary content"]


def test_partial_documents_print_their_items_and_warn(capsys):
    broken = str(FIXTURES / "broken_rss.xml")
    assert main(["parse", broken]) == 0
    out = capsys.readouterr()
    assert [r["title"] for r in _lines(out.out)] == ["First", "Second & more", "Third"]
    assert out.err.startswith(f"wirefeed parse: {broken}: partial: broken XML")


def test_urls_are_fetched_and_parsed(capsys, httpserver, monkeypatch):
    monkeypatch.setenv("WIREFEED_ALLOW_PRIVATE", "1")  # the test server listens on loopback
    httpserver.expect_request("/feed.json").respond_with_data(
        (FIXTURES / "feed.json").read_bytes(), content_type="application/feed+json")
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    url, gone = httpserver.url_for("/feed.json"), httpserver.url_for("/gone")
    assert main(["parse", url, gone]) == 1
    out = capsys.readouterr()
    assert [r["source"] for r in _lines(out.out)] == [url, url]
    assert out.err.startswith(f"wirefeed parse: {gone}: ") and "404" in out.err
    assert len(out.err.splitlines()) == 1


def test_hostile_input_through_the_real_console_script_never_prints_a_traceback(tmp_path):
    bomb = tmp_path / "bomb.json"
    bomb.write_bytes(b"[" * 100_000)
    proc = subprocess.run([sys.executable, "-m", "wirefeed.cli", "parse", str(bomb)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == f"wirefeed parse: {bomb}: invalid JSON: nested deeper than 64 levels\n"
