"""py3langid's feature counts without its byte-by-byte Python loop: the same DFA states, found with numpy.

py3langid walks an Aho-Corasick automaton over the text's UTF-8 bytes, one Python step per byte
(about 0.6 ms for a 600-character sample), and counts the states that carry a feature. After any
prefix of the text that automaton is in the state of the longest suffix of it that is a node of
its trie, and no node is deeper than a few bytes (6 in the shipped model, 5 along ASCII bytes). So
the state at byte i only depends on the last `depth` bytes: walking them from the root reaches it
too. Those short walks run side by side for all bytes at once, one array step per byte of depth:
the same states, counts and order, so the same scores as py3langid's own walk.
"""
from __future__ import annotations

import threading

import numpy as np

_CHUNK = 4096  # frontier states expanded at once: keeps the (states x 256) look-up near 8 MB
# A byte that no trie edge spells (0xFF is never in UTF-8): from every state it leads back to the root.
# The walks of the first bytes, which have fewer than `depth` bytes before them, start on a run of it and
# so are in the root when they reach the text: every byte is walked alike, no head is walked apart.
_PAD = 0xFF
_UNSEEN = np.iinfo(np.int32).max


def _trie_depth(nextmove: np.ndarray, rowbase: np.ndarray, alphabet: int = 256) -> int:
    """How many bytes deep the automaton's trie goes along bytes below `alphabet`, breadth first from the root.

    A state first reached after d bytes is the trie node of those d bytes; every other edge
    falls back to a shallower node, already seen.
    """
    seen = np.zeros(len(rowbase), dtype=bool)
    seen[0] = True
    frontier = np.zeros(1, dtype=np.intp)
    depth = -1
    while len(frontier):
        depth += 1
        found = []
        for start in range(0, len(frontier), _CHUNK):
            targets = nextmove[rowbase[frontier[start:start + _CHUNK], None] + np.arange(alphabet)].ravel()
            found.append(np.unique(targets[~seen[targets]]))
        frontier = np.unique(np.concatenate(found)).astype(np.intp)
        seen[frontier] = True
    return depth


class TrieStates:
    """A py3langid automaton (next-move table, row offsets, outputs) walked over all bytes at once."""

    def __init__(self, nextmove, rows, output) -> None:
        nextmove = np.asarray(nextmove)
        rowbase = np.asarray(rows, dtype=np.intp) << 8
        output = np.asarray(output, dtype=np.int32)
        self.depth = _trie_depth(nextmove, rowbase)
        self.ascii_depth = _trie_depth(nextmove, rowbase, 128)  # an ASCII text only walks ASCII edges
        if self.ascii_depth < 2 or not (nextmove.reshape(-1, 256)[:, _PAD] == 0).all():
            raise ValueError("the language model's automaton is not one this walk was written for")
        # Per move (4 bytes each, as large as the move table, which is not kept): the row offset of its
        # target, for the steps inside a walk, and the target's feature (-1 for none), for the last step.
        self.nextbase = rowbase.take(nextmove).astype(np.int32)
        self.nextout = output.take(nextmove)
        self.features = int(output.max()) + 1
        root = rowbase[0]  # state 0 is the root
        self._after_first = self.nextbase[root:root + 256].copy()  # the row offset after each first byte
        self._pad = bytes([_PAD]) * (self.depth - 1)
        self._local = threading.local()  # each thread's scratch table for visits

    def features_of(self, data: bytes) -> np.ndarray:
        """The feature of the automaton's state after each byte of data (-1 where it has none)."""
        depth = self.ascii_depth if data.isascii() else self.depth
        text = np.frombuffer(self._pad[:depth - 1] + data, dtype=np.uint8).astype(np.int32)  # int32 adds: no casts
        width = len(data)
        # Walk i: from the root through padded bytes i .. i + depth - 1, so it ends at byte i of data.
        # The walks carry the offset of their state's row; only the last step needs the state's feature.
        move = self._after_first.take(text[:width])
        move += text[1:1 + width]
        for step in range(2, depth):
            move = self.nextbase.take(move)
            move += text[step:step + width]
        return self.nextout.take(move)

    def _first_visits(self) -> tuple[np.ndarray, np.ndarray]:
        """(first visit per feature, all unseen between calls; the positions 0, 1, ...), this thread's."""
        local = self._local
        try:
            return local.first, local.positions
        except AttributeError:
            local.first = np.full(self.features, _UNSEEN, dtype=np.int32)
            local.positions = np.arange(4096, dtype=np.int32)
            return local.first, local.positions

    def visits(self, data: bytes) -> tuple[np.ndarray, np.ndarray]:
        """(feature ids in order of first visit, visit counts): py3langid's visit_counts as arrays."""
        features = self.features_of(data)
        features = features[features >= 0]
        count = len(features)
        if not count:
            return features, features
        first, positions = self._first_visits()
        if len(positions) < count:
            positions = self._local.positions = np.arange(2 * count, dtype=np.int32)
        at = positions[:count]
        # No sort: each feature's slot of a feature-sized table takes its first position; the visits at
        # their feature's first position, in text order, are the features in order of first visit, and
        # the visits per first position are the counts.
        try:
            np.minimum.at(first, features, at)
            visit = first.take(features)
        finally:  # the table is left unseen again, whatever happened
            first[features] = _UNSEEN
        firsts = visit == at
        return features[firsts], np.bincount(visit, minlength=count)[firsts]
