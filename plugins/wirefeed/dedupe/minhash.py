"""MinHash signatures and LSH band keys in numpy (one vectorized pass per document, stable across processes)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

_MIX = np.uint64(0xBF58476D1CE4E5B9)


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
    rows = sig.astype(np.uint64).reshape(banding.bands, banding.rows)
    acc = _band_salts(banding).copy()
    with np.errstate(over="ignore"):
        for r in range(banding.rows):
            acc = (acc ^ rows[:, r]) * _MIX
            acc ^= acc >> np.uint64(31)
    return acc.view(np.int64)


def keys(shingle_hashes: np.ndarray, banding: Banding = FULL) -> np.ndarray:
    """The band keys of a set of shingle hashes."""
    return band_keys(signature(shingle_hashes, banding), banding)
