"""wirefeed_daily: for each UTC day, fetch feed archives reaching back to it, re-process it from the raw landing
table, re-cluster its stories, check its quality.

Backfill history with `airflow backfill create --dag-id wirefeed_daily --from-date ... --to-date ...`;
re-running a day leaves the tables as they were.
"""
from airflow.sdk import CronDataIntervalTimetable, dag, task

from wirefeed import config
from wirefeed.airflow import tasks
from wirefeed.airflow.defaults import DEFAULT_ARGS


@dag(
    dag_id="wirefeed_daily",
    # A data interval of one whole day (the "@daily" preset would give a zero-length one in Airflow 3).
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=config.daily_start_date(),
    catchup=config.daily_catchup(),
    max_active_runs=3,
    default_args=DEFAULT_ARGS,
    tags=["wirefeed"],
    doc_md=__doc__,
)
def wirefeed_daily():
    history = task(tasks.fetch_history, task_id="fetch_history")()
    reprocessed = task(tasks.reprocess_day, task_id="reprocess_day")()
    clustered = task(tasks.recluster_day, task_id="recluster_day")()
    checked = task(tasks.check_quality, task_id="check_quality")()
    history >> reprocessed >> clustered >> checked


wirefeed_daily()
