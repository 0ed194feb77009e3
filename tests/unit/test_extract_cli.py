"""`wirefeed extract PATH`: one JSON object for good input, one stderr line and exit 1 for bad input."""
from __future__ import annotations

import json

import pytest

from tests.conftest import CORPORA, FIXTURES, SHARED
from wirefeed.cli import main

KEYS = {"title", "text", "agencies", "dateline", "authors", "language", "published_at", "word_count",
        "syndicated", "syndicated_by"}


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one CLI call."""
    code = main(["extract", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_seed_prints_one_json_object(capsys):
    seed = next((SHARED / "seed").glob("*.txt"))
    code, out, err = _run(capsys, str(seed))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert set(result) == KEYS
    assert result["agencies"] == ["ANI", "TPS"]
    assert result["dateline"] == {"raw": "Tel Aviv [Israel], May 20 (ANI/TPS)", "place": "Tel Aviv", "region": None,
                                  "country_code": "IL", "date": "2025-05-20"}
    assert result["syndicated"] is True and result["syndicated_by"] == "Tribune"
    assert result["published_at"] == "2025-05-20T00:00:00+00:00"


def test_published_option_is_the_date_reference(capsys, tmp_path):
    path = tmp_path / "pti.txt"
    path.write_text("Monsoon arrives\n\nTHIRUVANANTHAPURAM, Dec 31 (PTI) The monsoon arrived.\n")
    code, out, _ = _run(capsys, str(path), "--published", "2026-01-01T02:00:00+05:30", "--url", "https://x.example/a")
    result = json.loads(out)
    assert code == 0
    assert result["dateline"]["date"] == "2025-12-31"
    assert result["published_at"] == "2025-12-31T20:30:00+00:00"


@pytest.mark.parametrize("name", ["ap_ninjs_grosseto.json", "pti_business_standard.html", "pti_rss.xml"])
def test_json_html_and_feed_items(capsys, name):
    code, out, _ = _run(capsys, str(FIXTURES / "extract/items" / name))
    result = json.loads(out)
    assert code == 0 and result["agencies"] and result["dateline"]["country_code"] in {"IT", "IN"}


@pytest.mark.parametrize("name, agencies, place, author", [
    ("superdesk-core/ap-nitf.xml", ["AP"], "NEW YORK", "Bernard Condon"),
    ("mediacloud-ap/test_ap_fixture.nitf", ["AP"], "MWALIJA", "Neil Shaw"),
    ("superdesk-core/efe_nitf.xml", ["EFE"], "Tegucigalpa", None),
    ("superdesk-core/afp.xml", ["AFP"], "STOCKHOLM", None),
    ("superdesk-core/dpa.xml", ["DPA"], "London", None),
    ("superdesk-core/ansa-newsmlg2-text.xml", ["ANSA"], "Rome", None),
    ("superdesk-aap/reuters_newsml.xml", ["REUTERS"], "LIMA", "Caroline Stauffer"),
    ("superdesk-core/ninjsExMediumText1.json", ["AP"], "GROSSETO", "Paulo Santalucia"),
])
def test_real_wire_items_nitf_newsml_ninjs(capsys, name, agencies, place, author):
    code, out, _ = _run(capsys, str(CORPORA / "news/wire" / name))
    result = json.loads(out)
    assert code == 0 and result["title"] and result["text"]
    assert result["agencies"] == agencies and result["dateline"]["place"] == place
    assert author is None or author in result["authors"]


@pytest.mark.parametrize("content, message", [
    (b"", "empty file"),
    (b"   \n\n  ", "empty file"),
    (bytes(range(256)) * 64, "binary"),
    (b"[1, 2, 3]", ""),
    (b'{"foo": 1}', "not a news item"),
])
def test_bad_input_is_one_line_on_stderr(capsys, tmp_path, content, message):
    path = tmp_path / "bad"
    path.write_bytes(content)
    code, out, err = _run(capsys, str(path))
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err and "Traceback" not in err


def test_fifty_megabytes_of_text_is_refused(capsys, tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("w") as handle:
        for _ in range(50):
            handle.write("NEW DELHI, May 20 (PTI) Words. " * 34_000)
    code, out, err = _run(capsys, str(path))
    assert code == 1 and out == "" and "larger than" in err


def test_missing_file_and_bad_date(capsys, tmp_path):
    code, _, err = _run(capsys, str(tmp_path / "nope.txt"))
    assert code == 1 and "No such file" in err
    path = tmp_path / "a.txt"
    path.write_text("Title\n\nBody text.\n")
    code, _, err = _run(capsys, str(path), "--published", "yesterday")
    assert code == 1 and "ISO 8601" in err
