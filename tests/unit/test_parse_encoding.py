"""decode(): BOMs, the HTTP charset over the document's, UTF-16 sniffing, wrong declarations repaired."""
from __future__ import annotations

import codecs

import pytest

from wirefeed.parse.encoding import decode, http_charset, sniff_utf16

TEXT = "Zürich – Genève “quoted” €5"


@pytest.mark.parametrize("data, content_type, encoding", [
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), None, "utf-8"),
    (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), None, "utf-16-le"),
    (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "text/html; charset=iso-8859-1", "utf-16-be"),  # BOM wins
    (f"<p>{TEXT}</p>".encode("utf-16-le"), None, "utf-16-le"),
    (f"<p>{TEXT}</p>".encode("utf-16-be"), None, "utf-16-be"),
    (TEXT.encode("cp1252"), "text/plain; charset=windows-1252", "cp1252"),
    (f'<meta charset="windows-1252"><p>{TEXT}</p>'.encode("cp1252"), None, "cp1252"),
    (f'<?xml version="1.0" encoding="utf-8"?><p>{TEXT}</p>'.encode("cp1252"), None, "cp1252"),  # wrong declaration
    (TEXT.encode("utf-8"), None, "utf-8"),
])
def test_decode(data, content_type, encoding):
    text, used = decode(data, content_type)
    assert TEXT in text and used == encoding


def test_http_charset_overrides_the_document_declaration():
    data = f'<meta charset="utf-8"><p>{TEXT}</p>'.encode("cp1252")
    assert decode(data, "text/html; charset=windows-1252") == (f'<meta charset="utf-8"><p>{TEXT}</p>', "cp1252")


def test_unknown_charsets_are_ignored():
    assert http_charset("text/html; charset=x-no-such-thing") is None
    assert http_charset('text/html; charset="UTF-8"') == "utf-8"
    assert sniff_utf16(b"<rss") is None
