"""The Assets the DAGs exchange (the URI names host, database, schema and table, as Airflow requires)."""
from airflow.sdk import Asset, AssetWatcher

from wirefeed.airflow.triggers import FetchesLandedTrigger

# Two ways in: the fetch DAG's outlet, and the watcher for landings from anywhere else (drop folder,
# CLI, another deployment's fetcher) that NOTIFY through migration 0005's trigger.
RAW_FETCHES = Asset(name="wirefeed_raw_fetches", uri="postgres://warehouse/wirefeed/public/fetches",
                    watchers=[AssetWatcher(name="wirefeed_fetches_notify", trigger=FetchesLandedTrigger())])

# What wirefeed_process produced: its events carry the run's counts (items new/updated, stories, duplicates).
ITEMS = Asset(name="wirefeed_items", uri="postgres://warehouse/wirefeed/public/items")
