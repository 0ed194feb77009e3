"""Task callables of the DAGs: each opens the warehouse and calls one pipeline step."""
from __future__ import annotations

import logging

from wirefeed import daily, history, inbox, pipeline, quality
from wirefeed.airflow.assets import ITEMS
from wirefeed.airflow.warehouse import warehouse

log = logging.getLogger(__name__)


def sync_registry() -> int:
    """Upsert feeds.yaml into the feeds table."""
    with warehouse() as conn:
        return pipeline.sync_registry(conn)


def plan_batches(force: bool = False) -> list[list[int]]:
    """Ids of the due feeds in batches, one mapped fetch task per batch."""
    with warehouse() as conn:
        return pipeline.plan_fetch_batches(conn, force=force)


def fetch_batch(feed_ids: list[int]) -> dict:
    """Fetch one batch of feeds and land the results."""
    with warehouse() as conn:
        return pipeline.fetch_feeds(conn, feed_ids).as_dict()


def announce_fetches(batch_counts, outlet_events=None) -> dict:
    """Sum the batches' counts and attach them to the raw-fetches Asset event."""
    from wirefeed.airflow.assets import RAW_FETCHES

    keys = ("feeds", "fetched", "unchanged", "failed", "deferred")
    # Index within len(): iterating a lazy XCom sequence probes past its end and logs a 404 error.
    counts = [batch_counts[i] for i in range(len(batch_counts))]
    totals = {k: sum(c[k] for c in counts) for k in keys}
    log.info("fetch run: %s", totals)
    if outlet_events is not None:
        outlet_events[RAW_FETCHES].extra = totals
    return totals


def process_pending(outlet_events=None) -> dict:
    """Parse, clean, extract and load every landed fetch not yet processed; the counts go on the items Asset event."""
    with warehouse() as conn:
        counts = pipeline.process_pending(conn).as_dict()
    if outlet_events is not None:
        keys = ("fetches", "items_found", "items_new", "items_updated", "items_unchanged", "stories_new",
                "stories_joined", "exact_duplicates", "failed")
        outlet_events[ITEMS].extra = {**{k: counts[k] for k in keys}, "errors": counts["errors"][:5]}
    return counts


def drain_inbox() -> dict:
    """Land the files dropped into the inbox folder (the NOTIFY trigger then wakes wirefeed_process)."""
    with warehouse() as conn:
        return inbox.drain(conn).as_dict()


def fetch_history(data_interval_start=None) -> dict:
    """Walk back the archives of feeds whose known items begin after the interval (RFC 5005, ?paged=N)."""
    with warehouse() as conn:
        return history.fetch_history(conn, data_interval_start).as_dict()


def reprocess_day(data_interval_start=None, data_interval_end=None) -> dict:
    """Re-process the run's data interval from the raw landing table."""
    with warehouse() as conn:
        return daily.reprocess_interval(conn, data_interval_start, data_interval_end).as_dict()


def recluster_day(data_interval_start=None, data_interval_end=None) -> int:
    """Assign the interval's items to stories; return how many were (re)clustered."""
    with warehouse() as conn:
        return daily.recluster_interval(conn, data_interval_start, data_interval_end)


def check_quality(data_interval_start=None, data_interval_end=None) -> dict:
    """Run the data-quality checks; a failed check fails the task at once (retrying cannot fix the data)."""
    from airflow.sdk.exceptions import AirflowFailException

    with warehouse() as conn:
        try:
            stats = quality.check_interval(conn, data_interval_start, data_interval_end)
        except quality.QualityError as exc:
            raise AirflowFailException(str(exc)) from exc
    return {k: v for k, v in stats.as_dict().items() if k != "per_feed"}
