"""Bytes -> text: BOMs, the HTTP charset over the document's own, and repair of wrong declarations."""
from __future__ import annotations

import codecs
import re

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:\-]+)", re.IGNORECASE)
_DOC_CHARSET = re.compile(rb"""(?:<\?xml[^>]*?encoding\s*=\s*["']|<meta[^>]*?charset\s*=\s*["']?)([\w.:\-]+)""",
                          re.IGNORECASE)
# Western documents declared as UTF-8 but written in a legacy code page: cp1252 is what browsers assume.
_FALLBACKS = ("utf-8", "cp1252", "latin-1")


def sniff_bom(data: bytes) -> tuple[str | None, int]:
    """The encoding a byte-order mark names, and its length (None, 0 without one)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None, 0


def sniff_utf16(data: bytes) -> str | None:
    """UTF-16 or UTF-32 without a BOM, told by where the zero bytes of ASCII markup fall."""
    head = data[:4]
    if len(head) < 4:
        return None
    if head[1:4] == b"\0\0\0" and head[0]:
        return "utf-32-le"
    if head[:3] == b"\0\0\0" and head[3]:
        return "utf-32-be"
    if head[0] and not head[1] and head[2] and not head[3]:
        return "utf-16-le"
    if not head[0] and head[1] and not head[2] and head[3]:
        return "utf-16-be"
    return None


def http_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, if it names a known codec."""
    match = _HTTP_CHARSET.search(content_type or "")
    return _known(match.group(1)) if match else None


def decode(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """The text of a document and the encoding it was read with.

    Order: BOM, then the HTTP charset (it overrides the document's), then UTF-16/32 sniffing, then the
    charset the document declares; a declaration the bytes contradict falls back to UTF-8, cp1252, latin-1.
    """
    name, skip = sniff_bom(data)
    if name:
        return data[skip:].decode(name, errors="replace"), name
    declared = http_charset(content_type) or sniff_utf16(data) or _document_charset(data)
    candidates = (declared,) + _FALLBACKS if declared else _FALLBACKS
    for candidate in candidates:
        try:
            return data.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1"), "latin-1"  # unreachable: latin-1 decodes any byte string


def _document_charset(data: bytes) -> str | None:
    """The charset an XML declaration or HTML <meta> names in the first kilobytes."""
    match = _DOC_CHARSET.search(data[:2048])
    return _known(match.group(1).decode("ascii", "replace")) if match else None


def _known(name: str) -> str | None:
    """A codec name Python knows for `name`, or None."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None
