"""wirefeed_fetch: fetch the due feeds (mapped over batches) and land the raw responses."""
from airflow.sdk import Param, dag, task

from wirefeed.airflow import tasks
from wirefeed.airflow.assets import RAW_FETCHES
from wirefeed.airflow.defaults import DEFAULT_ARGS, START_DATE


@dag(
    dag_id="wirefeed_fetch",
    schedule="@hourly",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={"force": Param(False, type="boolean", description="fetch every feed, due or not")},
    tags=["wirefeed"],
    render_template_as_native_obj=True,
    doc_md=__doc__,
)
def wirefeed_fetch():
    synced = task(tasks.sync_registry, task_id="sync_registry")()
    batches = task(tasks.plan_batches, task_id="plan_batches")(force="{{ params.force }}")
    synced >> batches
    fetched = task(tasks.fetch_batch, task_id="fetch_batch").expand(feed_ids=batches)
    task(tasks.announce_fetches, task_id="announce", outlets=[RAW_FETCHES])(fetched)


wirefeed_fetch()
