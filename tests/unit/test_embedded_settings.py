"""The embedded server's shared buffers: a quarter of the machine's memory, within bounds, as PostgreSQL writes it."""
import os

import pytest

from wirefeed import db

GB = 2**30


@pytest.mark.parametrize("memory, expected", [
    (256 * 2**20, "128MB"),  # a small machine keeps PostgreSQL's default
    (2 * GB, "512MB"),
    (3 * GB, "768MB"),
    (6 * GB, "1GB"),  # 1,536 MB: whole GB above 1 GB, as current_setting() shows them
    (8 * GB, "2GB"),
    (23 * GB, "4GB"),
    (256 * GB, "4GB"),  # capped: the warehouse of 1M items probes ~1.3 GB of key index
])
def test_a_quarter_of_memory_within_bounds(monkeypatch, memory, expected):
    sizes = {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": memory // 4096}
    monkeypatch.setattr(os, "sysconf", lambda name: sizes[name])
    assert db._shared_buffers() == expected
