"""The feed state machine: backoff, Retry-After, 410, two-step permanent moves, adaptive polling."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from wirefeed import config
from wirefeed.feedstate import (Cadence, FeedState, backoff_s, next_state, poll_interval, publisher_interval,
                                retry_after_s)
from wirefeed.models import Fetch

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
URL = "https://old.example/feed"


def ok(**kw) -> Fetch:
    return Fetch(url=URL, status=200, body=b"<rss/>", content_hash="h", **kw)


def failed(status=None, error="boom", headers=None) -> Fetch:
    return Fetch(url=URL, status=status, error=error, headers=headers or {})


def test_success_resets_errors_and_schedules_the_poll_interval():
    t = next_state(FeedState(URL, error_count=4), ok(), now=NOW)
    assert (t.outcome, t.error_count, t.last_error, t.enabled) == ("new", 0, None, True)
    assert t.next_fetch_at == NOW + timedelta(seconds=config.DEFAULT_POLL_INTERVAL_S)


def test_not_modified_and_same_hash_are_unchanged():
    assert next_state(FeedState(URL), Fetch(url=URL, status=304, not_modified=True), now=NOW).outcome == "unchanged"
    assert next_state(FeedState(URL), ok(), now=NOW, unchanged=True).outcome == "unchanged"


def test_failures_back_off_exponentially_with_jitter_up_to_the_cap():
    rng = random.Random(7)
    delays = []
    state = FeedState(URL)
    for _ in range(12):
        t = next_state(state, failed(500, "HTTP 500 Internal Server Error"), now=NOW, rng=rng)
        delays.append((t.next_fetch_at - NOW).total_seconds())
        state = FeedState(URL, error_count=t.error_count)
    assert state.error_count == 12
    for n, delay in enumerate(delays, start=1):
        full = min(config.BACKOFF_MAX_S, config.BACKOFF_BASE_S * 2 ** (n - 1))
        assert full / 2 <= delay <= full
    assert delays[3] > delays[0] * 3
    assert "HTTP 500" in t.last_error and "failure 12" in t.last_error


def test_jitter_spreads_feeds_that_failed_together():
    rng = random.Random(1)
    assert len({round(backoff_s(3, rng)) for _ in range(20)}) > 10


def test_gone_disables_with_its_reason_and_keeps_the_feed():
    t = next_state(FeedState(URL), failed(410, "HTTP 410 Gone"), now=NOW)
    assert t.outcome == "gone" and t.enabled is False
    assert "410" in t.disabled_reason and t.last_error == "HTTP 410 Gone"


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_seconds_is_honoured(status):
    t = next_state(FeedState(URL), failed(status, f"HTTP {status}", {"retry-after": "120"}), now=NOW)
    assert t.outcome == "throttled" and t.next_fetch_at == NOW + timedelta(seconds=120)
    assert "Retry-After 120" in t.last_error


def test_retry_after_http_date_is_honoured():
    t = next_state(FeedState(URL), failed(503, "HTTP 503", {"retry-after": "Fri, 27 Nov 2026 14:30:00 GMT"}), now=NOW)
    assert t.next_fetch_at == NOW + timedelta(hours=2, minutes=30)


def test_retry_after_garbage_falls_back_to_backoff_and_huge_values_are_clamped():
    assert retry_after_s("soon", NOW) is None
    assert retry_after_s("99999999999", NOW) == config.RETRY_AFTER_MAX_S
    assert retry_after_s("Thu, 01 Jan 1970 00:00:00 GMT", NOW) == 0.0
    t = next_state(FeedState(URL), failed(429, "HTTP 429", {"retry-after": "soon"}), now=NOW, rng=random.Random(0))
    assert t.outcome == "failed" and t.error_count == 1


def test_permanent_redirect_moves_only_on_the_second_consecutive_sighting():
    moved = ok(redirects=((301, "https://new.example/feed"),))
    first = next_state(FeedState(URL), moved, now=NOW)
    assert first.fetch_url is None and first.pending_redirect == "https://new.example/feed"
    second = next_state(FeedState(URL, pending_redirect=first.pending_redirect), moved, now=NOW)
    assert second.fetch_url == "https://new.example/feed" and second.pending_redirect is None


def test_a_fetch_without_the_move_resets_it():
    pending = FeedState(URL, pending_redirect="https://new.example/feed")
    assert next_state(pending, ok(), now=NOW).pending_redirect is None
    other = ok(redirects=((308, "https://other.example/feed"),))
    t = next_state(pending, other, now=NOW)
    assert t.fetch_url is None and t.pending_redirect == "https://other.example/feed"


@pytest.mark.parametrize("hops", [((302, "https://new.example/feed"),), ((307, "https://new.example/feed"),),
                                  ((301, "https://mid.example/"), (302, "https://new.example/feed"))])
def test_temporary_redirects_never_move(hops):
    pending = FeedState(URL, pending_redirect="https://new.example/feed")
    t = next_state(pending, ok(redirects=hops), now=NOW)
    assert t.fetch_url is None and t.pending_redirect is None


def test_a_move_to_a_failing_address_is_not_taken():
    broken = Fetch(url=URL, status=404, error="HTTP 404", redirects=((301, "https://new.example/feed"),))
    t = next_state(FeedState(URL, pending_redirect="https://new.example/feed"), broken, now=NOW)
    assert t.fetch_url is None and t.pending_redirect is None


def test_publisher_interval_from_ttl_and_syndication_module():
    assert publisher_interval(b"<rss><channel><ttl>90</ttl></channel></rss>") == 5400
    sy = (b'<rdf:RDF xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>'
          b"<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>")
    assert publisher_interval(sy) == 21600
    assert publisher_interval(b"<rss><channel><title>x</title></channel></rss>") is None
    assert publisher_interval(None) is None


def test_poll_interval_follows_the_feed_between_floor_and_ceiling():
    state = FeedState(URL)
    assert poll_interval(state, Cadence()) == config.DEFAULT_POLL_INTERVAL_S
    assert poll_interval(state, Cadence(observed_gap_s=60)) == config.POLL_FLOOR_S
    assert poll_interval(state, Cadence(observed_gap_s=1800)) == 1800
    assert poll_interval(state, Cadence(observed_gap_s=10 * 86400)) == config.POLL_CEILING_S
    # The feed's own ttl is a request not to come sooner.
    assert poll_interval(state, Cadence(publisher_s=7200, observed_gap_s=1800)) == 7200
    assert poll_interval(FeedState(URL, poll_interval_s=900), Cadence(observed_gap_s=60)) == 900
    assert poll_interval(FeedState(URL, poll_interval_s=10), Cadence()) == config.POLL_FLOOR_S
