"""Data-quality checks over one interval: gather the figures in SQL, judge them in plain Python."""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta

from wirefeed import config
from wirefeed.db import dict_cursor
from wirefeed.errors import WirefeedError

log = logging.getLogger(__name__)


class QualityError(WirefeedError):
    """One or more quality checks failed for an interval (the message lists them)."""


@dataclass(frozen=True)
class Thresholds:
    """Limits a healthy day stays within; each is overridable as WIREFEED_QUALITY_<NAME>."""

    max_undated_share: float = 0.5  # items with no publication date
    max_empty_share: float = 0.2  # items with neither title nor text
    max_duplicate_share: float = 0.95  # nearly every item a copy: clustering merges what it should not
    max_parse_error_share: float = 0.5  # landed bodies that did not parse
    max_failing_feeds_share: float = 0.5  # feeds whose every fetch failed for `failing_days`
    failing_days: int = 3
    min_items: int = 10  # below this, shares say nothing: the share checks are skipped

    @classmethod
    def from_env(cls) -> "Thresholds":
        """The defaults, overridden by WIREFEED_QUALITY_* environment variables."""
        values = {}
        for f in fields(cls):
            default = getattr(cls, f.name)
            values[f.name] = type(default)(config.env_float(f"WIREFEED_QUALITY_{f.name.upper()}", default))
        return cls(**values)


@dataclass
class DayStats:
    """The figures of one interval the checks judge (and the daily report shows)."""

    start: str
    end: str
    bodies: int = 0  # fetches with a body landed in the interval
    unprocessed: int = 0
    parse_errors: int = 0
    items_found: int = 0
    items: int = 0  # items of the interval: loaded from its fetches or published in it
    undated: int = 0
    empty: int = 0
    duplicates: int = 0  # items that joined an existing story (copies of a story told first elsewhere)
    feeds_fetched: int = 0  # enabled feeds fetched at least once in the failing window
    failing_feeds: list[str] = field(default_factory=list)
    per_feed: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The figures as a JSON-able dict."""
        return asdict(self)


@dataclass(frozen=True)
class Check:
    """One judged figure."""

    name: str
    ok: bool
    detail: str


def _share(part: int, whole: int) -> float:
    """part / whole, 0 for an empty whole."""
    return part / whole if whole else 0.0


def evaluate(stats: DayStats, limits: Thresholds) -> list[Check]:
    """Judge an interval's figures against the limits."""
    checks = [
        Check("unprocessed_fetches", stats.unprocessed == 0,
              f"{stats.unprocessed} of {stats.bodies} landed bodies were never processed"),
        Check("items_parsed", stats.bodies == 0 or stats.items_found > 0,
              f"{stats.bodies} bodies landed, {stats.items_found} items parsed from them"),
        Check("parse_errors", _share(stats.parse_errors, stats.bodies) <= limits.max_parse_error_share,
              f"{stats.parse_errors} of {stats.bodies} bodies failed to parse "
              f"(limit {limits.max_parse_error_share:.0%})"),
        Check("failing_feeds", _share(len(stats.failing_feeds), stats.feeds_fetched) <= limits.max_failing_feeds_share,
              f"{len(stats.failing_feeds)} of {stats.feeds_fetched} feeds failed every fetch for "
              f"{limits.failing_days} days (limit {limits.max_failing_feeds_share:.0%})"
              + (f": {', '.join(stats.failing_feeds[:10])}" if stats.failing_feeds else "")),
    ]
    if stats.items >= limits.min_items:
        checks += [
            Check("undated_items", _share(stats.undated, stats.items) <= limits.max_undated_share,
                  f"{stats.undated} of {stats.items} items have no date (limit {limits.max_undated_share:.0%})"),
            Check("empty_items", _share(stats.empty, stats.items) <= limits.max_empty_share,
                  f"{stats.empty} of {stats.items} items have no title and no text "
                  f"(limit {limits.max_empty_share:.0%})"),
            Check("duplicate_share", _share(stats.duplicates, stats.items) <= limits.max_duplicate_share,
                  f"{stats.duplicates} of {stats.items} items are copies of another story "
                  f"(limit {limits.max_duplicate_share:.0%})"),
        ]
    return checks


def collect(conn, start: datetime, end: datetime, limits: Thresholds) -> DayStats:
    """Gather an interval's figures from the warehouse."""
    stats = DayStats(start=start.isoformat(), end=end.isoformat())
    window = {"s": start, "e": end, "since": end - timedelta(days=limits.failing_days)}
    with dict_cursor(conn) as cur:
        cur.execute("""SELECT count(*) AS bodies, count(*) FILTER (WHERE processed_at IS NULL) AS unprocessed,
                              count(*) FILTER (WHERE parse_error IS NOT NULL) AS parse_errors,
                              coalesce(sum(items_found), 0) AS items_found
                       FROM fetches WHERE fetched_at >= %(s)s AND fetched_at < %(e)s AND body IS NOT NULL""", window)
        row = cur.fetchone()
        stats.bodies, stats.unprocessed = row["bodies"], row["unprocessed"]
        stats.parse_errors, stats.items_found = row["parse_errors"], int(row["items_found"])
        cur.execute(f"""WITH day AS ({_DAY_ITEMS})
                        SELECT count(*) AS items, count(*) FILTER (WHERE published_at IS NULL) AS undated,
                               count(*) FILTER (WHERE title = '' AND text = '') AS empty,
                               count(*) FILTER (WHERE match <> 'first') AS duplicates FROM day""", window)
        row = cur.fetchone()
        stats.items, stats.undated, stats.empty, stats.duplicates = (row["items"], row["undated"], row["empty"],
                                                                     row["duplicates"])
        cur.execute("""SELECT feeds.name, bool_and(f.error IS NOT NULL) AS failing
                       FROM fetches f JOIN feeds ON feeds.id = f.feed_id
                       WHERE feeds.enabled AND f.fetched_at >= %(since)s AND f.fetched_at < %(e)s
                       GROUP BY feeds.id, feeds.name ORDER BY feeds.name""", window)
        rows = cur.fetchall()
        stats.feeds_fetched = len(rows)
        stats.failing_feeds = [r["name"] for r in rows if r["failing"]]
        cur.execute(f"""WITH day AS ({_DAY_ITEMS}),
                        fetched AS (SELECT feed_id, count(*) AS fetches, count(*) FILTER (WHERE error IS NOT NULL)
                                    AS failed FROM fetches WHERE fetched_at >= %(s)s AND fetched_at < %(e)s
                                    GROUP BY feed_id),
                        loaded AS (SELECT feed_id, count(*) AS items,
                                          count(*) FILTER (WHERE match <> 'first') AS duplicates
                                   FROM day GROUP BY feed_id)
                        SELECT feeds.name, coalesce(fetched.fetches, 0) AS fetches,
                               coalesce(fetched.failed, 0) AS failed, coalesce(loaded.items, 0) AS items,
                               coalesce(loaded.duplicates, 0) AS duplicates
                        FROM feeds LEFT JOIN fetched ON fetched.feed_id = feeds.id
                        LEFT JOIN loaded ON loaded.feed_id = feeds.id
                        WHERE fetched.feed_id IS NOT NULL OR loaded.feed_id IS NOT NULL ORDER BY feeds.name""",
                    window)
        stats.per_feed = [dict(r) for r in cur.fetchall()]
    conn.commit()
    return stats


# The interval's items: loaded from its fetches or published in it, with their story link if clustered.
_DAY_ITEMS = """SELECT i.id, i.feed_id, i.title, i.text, i.published_at, si.match
                FROM items i LEFT JOIN fetches f ON f.id = i.fetch_id
                LEFT JOIN story_items si ON si.item_id = i.id
                WHERE (f.fetched_at >= %(s)s AND f.fetched_at < %(e)s)
                   OR (i.published_at >= %(s)s AND i.published_at < %(e)s)"""


def check_interval(conn, start: datetime, end: datetime, limits: Thresholds | None = None) -> DayStats:
    """Collect and judge an interval; log every check and raise QualityError listing the failed ones."""
    limits = limits or Thresholds.from_env()
    stats = collect(conn, start, end, limits)
    for feed in stats.per_feed:
        log.info("feed %-40s fetches %4d failed %4d items %5d duplicates %5d", feed["name"][:40],
                 feed["fetches"], feed["failed"], feed["items"], feed["duplicates"])
    checks = evaluate(stats, limits)
    for check in checks:
        log.info("quality %-20s %s  %s", check.name, "ok  " if check.ok else "FAIL", check.detail)
    failed = [c for c in checks if not c.ok]
    if failed:
        raise QualityError(f"data quality failed for {start:%Y-%m-%d %H:%M}..{end:%Y-%m-%d %H:%M} UTC: "
                           + "; ".join(f"{c.name}: {c.detail}" for c in failed))
    return stats
