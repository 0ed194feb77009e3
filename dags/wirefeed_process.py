"""wirefeed_process: when raw fetches land, parse, clean, extract, dedupe and load them."""
from airflow.sdk import dag, task

from wirefeed.airflow import tasks
from wirefeed.airflow.assets import ITEMS, RAW_FETCHES
from wirefeed.airflow.defaults import DEFAULT_ARGS, START_DATE


@dag(
    dag_id="wirefeed_process",
    schedule=[RAW_FETCHES],
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["wirefeed"],
    doc_md=__doc__,
)
def wirefeed_process():
    task(tasks.process_pending, task_id="process_pending", outlets=[ITEMS])()


wirefeed_process()
