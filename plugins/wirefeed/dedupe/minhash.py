"""MinHash signatures and LSH band keys in numpy (one vectorized pass per document or per batch, stable across processes)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

_MIX = np.uint64(0xBF58476D1CE4E5B9)
# Shingles of the hash matrix at a time in a batch: 3 MB at 96 hash functions stays in the CPU cache between the
# multiply, the add and the minimum (12 MB at 16,384 went to memory: 70-130 vs 21-55 us a document, same keys).
_CHUNK_SHINGLES = 4_096


@dataclass(frozen=True)
class Banding:
    """One LSH index: how many hash functions, split in bands of rows, under a salt of its own."""

    bands: int
    rows: int
    salt: int

    @property
    def perms(self) -> int:
        """Hash functions in a signature."""
        return self.bands * self.rows

    def threshold(self) -> float:
        """The Jaccard similarity at which a pair becomes a candidate with probability about 1/2."""
        return (1 / self.bands) ** (1 / self.rows)


# Whole text: candidates from Jaccard ~0.4 up (edited copies, late updates with new paragraphs).
FULL = Banding(bands=24, rows=4, salt=1)


@cache
def _params(count: int, salt: int) -> tuple[np.ndarray, np.ndarray]:
    """Fixed multiply-add-shift hash parameters: the seed is constant so stored bands stay comparable."""
    rng = np.random.default_rng(0x5EED + salt)
    top = np.iinfo(np.uint64).max
    a = rng.integers(0, top, size=count, dtype=np.uint64, endpoint=True) | np.uint64(1)  # odd
    b = rng.integers(0, top, size=count, dtype=np.uint64, endpoint=True)
    return a, b


@cache
def _band_salts(banding: Banding) -> np.ndarray:
    """A fixed salt per band, so equal rows in two different bands give different keys."""
    return np.random.default_rng(0xBA2D + banding.salt).integers(0, 2**63, size=banding.bands, dtype=np.uint64)


def signature(shingle_hashes: np.ndarray, banding: Banding) -> np.ndarray:
    """MinHash signature (uint32 per hash function) of a set of 64-bit shingle hashes."""
    a, b = _params(banding.perms, banding.salt)
    if len(shingle_hashes) == 0:
        return np.full(banding.perms, np.iinfo(np.uint32).max, dtype=np.uint32)
    with np.errstate(over="ignore"):
        mixed = np.multiply.outer(shingle_hashes, a) + b
    # The top 32 bits of the least mix are the least top 32 bits: shift one row, not the whole matrix.
    return (mixed.min(axis=0) >> np.uint64(32)).astype(np.uint32)


def band_keys(sig: np.ndarray, banding: Banding) -> np.ndarray:
    """One signed 64-bit key per band (fits a PostgreSQL bigint): equal keys mean an equal band."""
    return _batch_band_keys(sig[np.newaxis], banding)[0]


def _batch_band_keys(sigs: np.ndarray, banding: Banding) -> np.ndarray:
    """band_keys() of each row of a (documents, perms) matrix of signatures, as one matrix."""
    rows = sigs.astype(np.uint64).reshape(len(sigs), banding.bands, banding.rows)
    acc = np.broadcast_to(_band_salts(banding), (len(sigs), banding.bands)).copy()
    with np.errstate(over="ignore"):
        for r in range(banding.rows):
            acc = (acc ^ rows[:, :, r]) * _MIX
            acc ^= acc >> np.uint64(31)
    return acc.view(np.int64)


def _batch_signatures(sets: list[np.ndarray], banding: Banding) -> np.ndarray:
    """signature() of each non-empty shingle set, as one (documents, perms) matrix: a few numpy calls per chunk."""
    a, b = _params(banding.perms, banding.salt)
    sizes = np.fromiter(map(len, sets), dtype=np.int64, count=len(sets))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    flat = np.concatenate(sets)
    out = np.empty((len(sets), banding.perms), dtype=np.uint64)
    done = 0
    while done < len(sets):
        # Whole documents at a time, about _CHUNK_SHINGLES rows of the hash matrix, so memory stays bounded.
        end = max(done + 1, int(np.searchsorted(starts, starts[done] + _CHUNK_SHINGLES, side="right")))
        end = min(end, len(sets))
        lo, hi = starts[done], starts[end - 1] + sizes[end - 1]
        # One row per hash function: reduceat then runs along contiguous memory (across rows it is ten times slower).
        with np.errstate(over="ignore"):
            mixed = np.multiply.outer(a, flat[lo:hi])
            mixed += b[:, np.newaxis]
        out[done:end] = np.minimum.reduceat(mixed, starts[done:end] - lo, axis=1).T
        done = end
    return (out >> np.uint64(32)).astype(np.uint32)


def batch_key_matrix(sets: list[np.ndarray], banding: Banding = FULL) -> np.ndarray:
    """keys() of each of many shingle sets as the rows of one (sets, bands) matrix, computed together."""
    # One signature per distinct array: the exact copies of a body in a batch share its features, arrays and all.
    distinct = list({id(s): s for s in sets}.values())
    row_of = {id(s): at for at, s in enumerate(distinct)}
    matrix = np.empty((len(distinct), banding.bands), dtype=np.int64)
    filled = [at for at, s in enumerate(distinct) if len(s)]
    if filled:
        matrix[filled] = _batch_band_keys(_batch_signatures([distinct[at] for at in filled], banding), banding)
    if len(filled) < len(distinct):
        matrix[[at for at, s in enumerate(distinct) if not len(s)]] = keys(np.zeros(0, dtype=np.uint64), banding)
    return matrix[[row_of[id(s)] for s in sets]]


def keys(shingle_hashes: np.ndarray, banding: Banding = FULL) -> np.ndarray:
    """The band keys of a set of shingle hashes."""
    return band_keys(signature(shingle_hashes, banding), banding)
