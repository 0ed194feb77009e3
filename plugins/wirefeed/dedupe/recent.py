"""Text features of recently fingerprinted items, in memory, so a batch does not featurise again the items it meets."""
from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from wirefeed.dedupe.match import Features, from_fields

# The candidates of a batch are mostly items of the batches just before it (outlets republish the day's wire);
# at ~4 KB of features an item this holds a day of a few hundred feeds in under 100 MB.
LIMIT = 20_000
# Every field of Features at its default: what a cached entry does not keep (no time, dateline or agencies).
_BLANK = dict(Features(None, np.zeros(0, dtype=np.uint64)).__dict__)


def _packed(words: Features) -> tuple:
    """Text features as tuples of plain values: the garbage collector stops tracking them, unlike Features' sets."""
    # Kept as Features, the cache was half the objects every full collection walked (~0.2 s each at 20,000 items).
    return (words.fingerprint, words.shingles, words.sentences, tuple(words.dates), tuple(words.numbers),
            tuple(words.names))


def _unpacked(packed: tuple) -> Features:
    """The text features that _packed() kept."""
    fingerprint, shingles, sentences, dates, numbers, names = packed
    return from_fields({**_BLANK, "fingerprint": fingerprint, "shingles": shingles, "sentences": sentences,
                        "dates": frozenset(dates), "numbers": frozenset(numbers), "names": frozenset(names)})


class RecentFeatures:
    """Text features by (database, item id), valid for the content hash they were computed from."""

    def __init__(self, limit: int = LIMIT):
        self.limit = limit
        # An OrderedDict, not a dict: taking a dict's oldest key walks past the slots of the keys deleted before
        # it, so evicting from the front of a full dict cost more as the run went on.
        self._features: OrderedDict[tuple, tuple[str, tuple]] = OrderedDict()
        # text_features(body) by the body's (hash, length): an outlet's exact copy of a wire story has the words
        # of a body met before (a fifth of the benchmark's items). A 64-bit hash with the length: a false hit
        # would need two recent bodies of one length to collide, about 1 in 10^10 in a run of 100,000 items.
        self._bodies: OrderedDict[tuple[int, int], tuple] = OrderedDict()
        self._lock = threading.Lock()  # two threads may cluster two databases in one process

    def get(self, database, item_id: int, content_hash: str) -> Features | None:
        """The item's text features if they were computed from this version of it."""
        found = self._features.get((database, item_id))
        return _unpacked(found[1]) if found and found[0] == content_hash else None

    def put(self, database, item_id: int, content_hash: str, words: Features) -> None:
        """Remember the item's text features, forgetting the oldest beyond the limit."""
        self._remember(self._features, (database, item_id), (content_hash, _packed(words)))

    def of_body(self, body: str) -> Features | None:
        """text_features(body), without a title, if this body was featurised recently."""
        found = self._bodies.get((hash(body), len(body)))
        return None if found is None else _unpacked(found)

    def put_body(self, body: str, words: Features) -> None:
        """Remember text_features(body) of a body, forgetting the oldest beyond the limit."""
        self._remember(self._bodies, (hash(body), len(body)), _packed(words))

    def _remember(self, table: OrderedDict, key, value) -> None:
        """Put the value under the key in one of the tables, forgetting its oldest beyond the limit."""
        with self._lock:
            table[key] = value
            table.move_to_end(key)  # the newest are kept longest
            while len(table) > self.limit:
                table.popitem(last=False)
