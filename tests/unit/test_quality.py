"""Quality checks judge an interval's figures: healthy days pass, each kind of breakage fails by name."""
import pytest

from wirefeed.quality import DayStats, Thresholds, evaluate


def _failed(stats, limits=Thresholds()):
    return {c.name for c in evaluate(stats, limits) if not c.ok}


def _day(**figures):
    base = dict(start="2025-05-20T00:00:00+00:00", end="2025-05-21T00:00:00+00:00", bodies=20, items_found=200,
                items=200, undated=10, empty=2, duplicates=60, feeds_fetched=10)
    return DayStats(**{**base, **figures})


def test_a_healthy_day_passes():
    assert _failed(_day()) == set()


@pytest.mark.parametrize("figures, check", [
    ({"unprocessed": 1}, "unprocessed_fetches"),
    ({"items_found": 0}, "items_parsed"),
    ({"parse_errors": 11}, "parse_errors"),
    ({"failing_feeds": ["a", "b", "c", "d", "e", "f"]}, "failing_feeds"),
    ({"undated": 101}, "undated_items"),
    ({"empty": 41}, "empty_items"),
    ({"duplicates": 199}, "duplicate_share"),
])
def test_each_breakage_fails_its_check(figures, check):
    assert _failed(_day(**figures)) == {check}


def test_share_checks_wait_for_enough_items():
    # Three undated items of three say nothing about a day; an empty day with no bodies is not broken either.
    assert _failed(_day(items=3, undated=3, duplicates=0, empty=0)) == set()
    assert _failed(DayStats(start="a", end="b")) == set()


def test_thresholds_from_env(monkeypatch):
    monkeypatch.setenv("WIREFEED_QUALITY_MAX_UNDATED_SHARE", "0.01")
    monkeypatch.setenv("WIREFEED_QUALITY_FAILING_DAYS", "7")
    limits = Thresholds.from_env()
    assert limits.max_undated_share == 0.01 and limits.failing_days == 7 and isinstance(limits.failing_days, int)
    assert _failed(_day(), limits) == {"undated_items"}
