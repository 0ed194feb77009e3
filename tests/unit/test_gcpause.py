"""The collector is held off inside paused_gc() and left as it was found afterwards, even after an error."""
import gc

import pytest

from wirefeed.dedupe import store
from wirefeed.gcpause import paused_gc


@pytest.fixture(autouse=True)
def collector_enabled():
    gc.enable()
    yield
    gc.enable()


def test_paused_inside_and_enabled_again_after():
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_enabled_again_after_an_error():
    with pytest.raises(RuntimeError):
        with paused_gc():
            raise RuntimeError("batch failed")
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled():
    gc.disable()
    with paused_gc():
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_clustering_runs_with_the_collector_paused(monkeypatch):
    seen = []
    monkeypatch.setattr(store, "_assign_stories", lambda conn, ids: seen.append(gc.isenabled()) or {"items": 0})
    assert store.assign_stories(None, []) == {"items": 0}
    assert seen == [False] and gc.isenabled()
