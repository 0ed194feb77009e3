"""The feed state machine: what one fetch outcome means for a feed's next fetch (pure: no I/O, no clock)."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from wirefeed import config
from wirefeed.models import Fetch

_TTL = re.compile(rb"<ttl>\s*(\d{1,7})\s*</ttl>", re.I)
_SY_PERIOD = re.compile(rb"<(?:\w+:)?updatePeriod>\s*(hourly|daily|weekly|monthly|yearly)\s*<", re.I)
_SY_FREQUENCY = re.compile(rb"<(?:\w+:)?updateFrequency>\s*(\d{1,6})\s*<", re.I)
_PERIOD_S = {b"hourly": 3600, b"daily": 86400, b"weekly": 7 * 86400, b"monthly": 30 * 86400, b"yearly": 365 * 86400}
# Channel-level elements come before the items; no need to scan a 10 MiB body for them.
_HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class FeedState:
    """What the state machine needs to know about a feed before the fetch."""

    url: str  # the URL that was fetched
    error_count: int = 0
    pending_redirect: str | None = None
    poll_interval_s: int | None = None  # set explicitly in the registry: wins over adaptive polling


@dataclass(frozen=True)
class Cadence:
    """How often the feed changes: what it asks for itself (ttl, sy:updatePeriod) and the observed item gap."""

    publisher_s: int | None = None
    observed_gap_s: float | None = None


@dataclass(frozen=True)
class Transition:
    """The feed's state after one fetch."""

    outcome: str  # new, unchanged, failed, throttled, gone
    next_fetch_at: datetime
    interval_s: int
    error_count: int = 0
    last_error: str | None = None
    enabled: bool = True
    disabled_reason: str | None = None
    fetch_url: str | None = None  # the new address once a permanent move is confirmed
    pending_redirect: str | None = None


def publisher_interval(body: bytes | None) -> int | None:
    """Seconds the feed asks to be left alone, from <ttl> (minutes) or sy:updatePeriod/updateFrequency."""
    if not body:
        return None
    head = body[:_HEAD_BYTES]
    hints = []
    if match := _TTL.search(head):
        hints.append(int(match.group(1)) * 60)
    if match := _SY_PERIOD.search(head):
        frequency = _SY_FREQUENCY.search(head)
        times = max(1, int(frequency.group(1))) if frequency else 1
        hints.append(_PERIOD_S[match.group(1).lower()] // times)
    return max(hints) if hints else None


def poll_interval(state: FeedState, cadence: Cadence, *, floor: int = config.POLL_FLOOR_S,
                  ceiling: int = config.POLL_CEILING_S) -> int:
    """Seconds until the next regular fetch: explicit setting, else the observed gap, never sooner than
    the feed asks, always between floor and ceiling."""
    if state.poll_interval_s:
        return max(floor, state.poll_interval_s)
    base = cadence.observed_gap_s or config.DEFAULT_POLL_INTERVAL_S
    base = max(base, cadence.publisher_s or 0)
    return int(min(ceiling, max(floor, base)))


def backoff_s(error_count: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter ("equal jitter": half fixed, half random) after consecutive failures."""
    rng = rng or random
    delay = min(config.BACKOFF_MAX_S, config.BACKOFF_BASE_S * 2 ** max(0, min(error_count, 30) - 1))
    return delay / 2 + rng.uniform(0, delay / 2)


def retry_after_s(value: str | None, now: datetime) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or HTTP-date), clamped; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - now).total_seconds()
    return min(float(config.RETRY_AFTER_MAX_S), max(0.0, seconds))


def permanent_target(fetch: Fetch) -> str | None:
    """Where a feed has moved when every hop was 301/308 and the move ended in a usable answer."""
    if not fetch.redirects or fetch.error or not all(status in (301, 308) for status, _ in fetch.redirects):
        return None
    return fetch.redirects[-1][1]


def next_state(state: FeedState, fetch: Fetch, *, now: datetime, cadence: Cadence = Cadence(),
               unchanged: bool = False, rng: random.Random | None = None) -> Transition:
    """The feed's state after this fetch: schedule, errors, disable on 410, and confirmed moves."""
    interval = poll_interval(state, cadence)
    if fetch.error is None:
        moved_to, pending = _redirect_step(state, fetch)
        return Transition(outcome="unchanged" if (unchanged or fetch.not_modified) else "new",
                          next_fetch_at=now + timedelta(seconds=interval), interval_s=interval,
                          fetch_url=moved_to, pending_redirect=pending)
    errors = state.error_count + 1
    if fetch.status == 410:
        reason = f"HTTP 410 Gone since {now:%Y-%m-%d %H:%M} UTC: the publisher removed this feed"
        return Transition(outcome="gone", next_fetch_at=now + timedelta(seconds=config.POLL_CEILING_S),
                          interval_s=interval, error_count=errors, last_error=fetch.error, enabled=False,
                          disabled_reason=reason)
    if fetch.status in (429, 503):
        wait = retry_after_s(fetch.headers.get("retry-after"), now)
        if wait is not None:
            note = f"{fetch.error} (Retry-After {fetch.headers['retry-after'].strip()}: next try in {wait:.0f} s)"
            return Transition(outcome="throttled", next_fetch_at=now + timedelta(seconds=wait), interval_s=interval,
                              error_count=errors, last_error=note)
    delay = backoff_s(errors, rng)
    return Transition(outcome="failed", next_fetch_at=now + timedelta(seconds=delay), interval_s=interval,
                      error_count=errors, last_error=f"{fetch.error} (failure {errors}, retry in {delay:.0f} s)")


def _redirect_step(state: FeedState, fetch: Fetch) -> tuple[str | None, str | None]:
    """(confirmed new URL, pending move): a permanent move counts only when seen on consecutive fetches."""
    target = permanent_target(fetch)
    if target is None or target == state.url:
        return None, None
    if state.pending_redirect == target:
        return target, None
    return None, target
