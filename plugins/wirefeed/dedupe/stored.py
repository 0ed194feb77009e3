"""Text features as stored with an item's fingerprint: compact bytes, safe to read back (no pickle)."""
from __future__ import annotations

import json
import struct

import numpy as np

from wirefeed.dedupe.match import Features

# Layout: version (1 byte), shingle count (uint32), the shingles as little-endian uint64s, then a JSON list
# [sentences, dates, numbers, names]. The version lets a later layout be told apart and recomputed instead.
_VERSION = 1
_HEADER = struct.Struct("<BI")
_SHINGLE = np.dtype("<u8")


def encode(words: Features) -> bytes:
    """The text features (all but the fingerprint, which has its own column) as bytes."""
    rest = [list(words.sentences), sorted(words.dates), sorted(words.numbers), sorted(words.names)]
    return b"".join((_HEADER.pack(_VERSION, len(words.shingles)), words.shingles.astype(_SHINGLE, copy=False).tobytes(),
                     json.dumps(rest, separators=(",", ":")).encode("utf-8")))


def decode(blob, fingerprint: str | None) -> Features | None:
    """The text features encode() wrote, with their fingerprint; None for a layout this version does not know."""
    blob = memoryview(blob)
    if len(blob) < _HEADER.size:
        return None
    version, count = _HEADER.unpack_from(blob)
    if version != _VERSION:
        return None
    end = _HEADER.size + count * _SHINGLE.itemsize
    # A copy in native order: the array must not pin the fetched buffer, nor be read-only.
    shingles = np.frombuffer(blob, dtype=_SHINGLE, count=count, offset=_HEADER.size).astype(np.uint64)
    sentences, dates, numbers, names = json.loads(bytes(blob[end:]))
    return Features(fingerprint, shingles, sentences=tuple(sentences), dates=frozenset(dates),
                    numbers=frozenset(numbers), names=frozenset(names))
