"""py3langid's feature counts without its byte-by-byte Python loop: the same DFA states, found with numpy.

py3langid walks an Aho-Corasick automaton over the text's UTF-8 bytes, one Python step per byte
(about 0.6 ms for a 600-character sample), and counts the states that carry a feature. After any
prefix of the text that automaton is in the state of the longest suffix of it that is a node of
its trie, and no node is deeper than a few bytes (6 in the shipped model). So the state at byte i
only depends on the last `depth` bytes: walking them from the root reaches it too. Those short walks
run side by side for all bytes at once, one array step per byte of depth: the same states, counts
and order, so the same scores as py3langid's own walk.
"""
from __future__ import annotations

import numpy as np

_CHUNK = 4096  # frontier states expanded at once: keeps the (states x 256) look-up near 8 MB


def _trie_depth(nextmove: np.ndarray, rowbase: np.ndarray) -> int:
    """How many bytes deep the automaton's trie goes, breadth first from the root.

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
            targets = nextmove[rowbase[frontier[start:start + _CHUNK], None] + np.arange(256)].ravel()
            found.append(np.unique(targets[~seen[targets]]))
        frontier = np.unique(np.concatenate(found)).astype(np.intp)
        seen[frontier] = True
    return depth


class TrieStates:
    """A py3langid automaton (next-move table, row offsets, outputs) walked over all bytes at once."""

    def __init__(self, nextmove, rows, output) -> None:
        self.nextmove = np.asarray(nextmove)
        self.rowbase = np.asarray(rows, dtype=np.intp) << 8
        self.output = np.asarray(output, dtype=np.int32)  # feature ids fit; 32-bit ones sort faster
        # The row offset of each move's target (all fit 32 bits): one gather per byte of depth, not
        # two (row of the state, then the move). 4 bytes per move, as large as the move table.
        self.nextbase = self.rowbase.take(self.nextmove).astype(np.int32)
        # Python-speed copies for the few bytes walked one at a time.
        self._nextmove_list = nextmove
        self._rowbase_list = self.rowbase.tolist()
        self.depth = _trie_depth(self.nextmove, self.rowbase)

    def _states(self, data: bytes) -> np.ndarray:
        """The automaton's state after each byte of data."""
        depth = self.depth
        # The first bytes have fewer than `depth` bytes before them: walk those one by one.
        head = []
        state = 0
        for byte in data[: depth - 1]:
            state = self._nextmove_list[self._rowbase_list[state] + byte]
            head.append(state)
        head_states = np.array(head, dtype=np.intp)
        if len(data) < depth:
            return head_states
        text = np.frombuffer(data, dtype=np.uint8)
        width = len(data) - depth + 1
        # Walk i: from the root through bytes i .. i + depth - 1, so it ends at byte i + depth - 1.
        # The walks carry the offset of their state's row; only the last step needs the state itself.
        move = self.rowbase[0] + text[:width]
        for step in range(1, depth):
            move = self.nextbase.take(move) + text[step:step + width]
        return np.concatenate((head_states, self.nextmove.take(move)))

    def visits(self, data: bytes) -> tuple[np.ndarray, np.ndarray]:
        """(feature ids in order of first visit, visit counts): py3langid's visit_counts as arrays."""
        features = self.output.take(self._states(data))
        features = features[features >= 0]
        count = len(features)
        if not count:
            return features, features
        # One plain sort of (feature, position) keys groups each feature's visits, earliest first;
        # cheaper than np.unique's stable argsort, which is most of this function's cost.
        shift = count.bit_length()
        keys = features.astype(np.int64)
        keys <<= shift
        keys |= np.arange(count)
        keys.sort()
        ids = keys >> shift
        # Group edges: the first key, every change of feature, and the end.
        edges = np.empty(count + 1, dtype=bool)
        edges[0] = edges[count] = True
        np.not_equal(ids[1:], ids[:-1], out=edges[1:count])
        bounds = edges.nonzero()[0]
        starts = bounds[:-1]
        counts = bounds[1:] - starts
        order = (keys.take(starts) & ((1 << shift) - 1)).argsort()  # groups by first visit
        return ids.take(starts.take(order)), counts.take(order)
