"""The Assets the DAGs exchange (the URI names host, database, schema and table, as Airflow requires)."""
from airflow.sdk import Asset

RAW_FETCHES = Asset(name="wirefeed_raw_fetches", uri="postgres://warehouse/wirefeed/public/fetches")
