"""Item identity, decided in one place: GUID, else canonical URL, else a content hash."""
from __future__ import annotations

import hashlib

from wirefeed.models import Item


def sha256_hex(data: bytes | str) -> str:
    """Hex SHA-256 of bytes or UTF-8 text."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def content_hash(item: Item) -> str:
    """Hash of what a reader sees (title and text), so an edit shows up as a new hash."""
    return sha256_hex(f"{item.title}\x1f{item.text or item.content_html or item.summary_html}")


def item_identity(item: Item) -> str:
    """The per-feed identity key stored in items.identity (unique with feed_id)."""
    if item.guid and item.guid.strip():
        return "guid:" + item.guid.strip()
    if item.url:
        return "url:" + item.url
    return "hash:" + content_hash(item)
