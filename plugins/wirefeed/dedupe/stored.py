"""Text features as stored with an item's fingerprint: compact bytes, safe to read back (no pickle)."""
from __future__ import annotations

import json
import struct

import numpy as np

from wirefeed.dedupe.match import Features

# Layout 2: version (1 byte), shingle count and sentence count (uint32 each), the shingles as little-endian
# uint64s, the sentence keys as little-endian int64s, then dates, numbers and names as UTF-8 text: the values of
# each joined by US (0x1f), the three joined by RS (0x1e). Reading it back is a few splits, where layout 1's JSON
# list [sentences, dates, numbers, names] took a third of the time of a candidate's features.
# Layout 1 is still read (rows stored before), and still written for a value holding a separator (none of the
# tokenizer's words, numbers or dates can). The version lets a later layout be told apart and recomputed instead.
_VERSION = 2
_JSON_VERSION = 1
_HEADER = struct.Struct("<BII")
_JSON_HEADER = struct.Struct("<BI")
_SHINGLE = np.dtype("<u8")
_SENTENCE = np.dtype("<i8")
_UNIT, _RECORD = "\x1f", "\x1e"


def encode(words: Features) -> bytes:
    """The text features (all but the fingerprint, which has its own column) as bytes."""
    dates, numbers, names = words.dates, words.numbers, words.names
    tail = f"{_UNIT.join(sorted(dates))}{_RECORD}{_UNIT.join(sorted(numbers))}{_RECORD}{_UNIT.join(sorted(names))}"
    # Only the separators placed here, and no empty value (it would read back as no value): else layout 1.
    separators = len(dates) + len(numbers) + len(names) - bool(dates) - bool(numbers) - bool(names)
    if (tail.count(_RECORD) != 2 or tail.count(_UNIT) != separators
            or "" in dates or "" in numbers or "" in names):
        return _encode_json(words)
    sentences = words.sentences
    return b"".join((_HEADER.pack(_VERSION, len(words.shingles), len(sentences)),
                     words.shingles.astype(_SHINGLE, copy=False).tobytes(),
                     struct.pack(f"<{len(sentences)}q", *sentences),  # a dozen ints: a numpy array costs more
                     tail.encode("utf-8")))


def _encode_json(words: Features) -> bytes:
    """Layout 1: the shingles, then [sentences, dates, numbers, names] as JSON."""
    rest = [list(words.sentences), sorted(words.dates), sorted(words.numbers), sorted(words.names)]
    return b"".join((_JSON_HEADER.pack(_JSON_VERSION, len(words.shingles)),
                     words.shingles.astype(_SHINGLE, copy=False).tobytes(),
                     json.dumps(rest, separators=(",", ":")).encode("utf-8")))


def decode(blob, fingerprint: str | None) -> Features | None:
    """The text features encode() wrote, with their fingerprint; None for a layout this version does not know."""
    blob = memoryview(blob)
    if len(blob) < 1:
        return None
    version = blob[:1].tobytes()[0]  # psycopg2's memoryview indexes as bytes ('c'), a bytes object's as ints
    if version == _JSON_VERSION:
        return _decode_json(blob, fingerprint)
    if version != _VERSION or len(blob) < _HEADER.size:
        return None
    _, count, sentence_count = _HEADER.unpack_from(blob)
    at = _HEADER.size + count * _SHINGLE.itemsize
    # A copy in native order: the array must not pin the fetched buffer, nor be read-only.
    shingles = np.frombuffer(blob, dtype=_SHINGLE, count=count, offset=_HEADER.size).astype(np.uint64)
    sentences = np.frombuffer(blob, dtype=_SENTENCE, count=sentence_count, offset=at).tolist()
    dates, numbers, names = (frozenset(text.split(_UNIT)) if text else frozenset()
                             for text in bytes(blob[at + sentence_count * _SENTENCE.itemsize:]).decode("utf-8")
                             .split(_RECORD))
    return Features(fingerprint, shingles, sentences=tuple(sentences), dates=dates, numbers=numbers, names=names)


def _decode_json(blob: memoryview, fingerprint: str | None) -> Features | None:
    """Layout 1's features."""
    if len(blob) < _JSON_HEADER.size:
        return None
    _, count = _JSON_HEADER.unpack_from(blob)
    end = _JSON_HEADER.size + count * _SHINGLE.itemsize
    shingles = np.frombuffer(blob, dtype=_SHINGLE, count=count, offset=_JSON_HEADER.size).astype(np.uint64)
    sentences, dates, numbers, names = json.loads(bytes(blob[end:]))
    return Features(fingerprint, shingles, sentences=tuple(sentences), dates=frozenset(dates),
                    numbers=frozenset(numbers), names=frozenset(names))
