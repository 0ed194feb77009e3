"""wirefeed_inbox: land files dropped into the inbox folder as raw fetches (wirefeed_process follows on NOTIFY)."""
from datetime import timedelta

from airflow.sdk import dag, task

from wirefeed.airflow import tasks
from wirefeed.airflow.defaults import DEFAULT_ARGS, START_DATE


@dag(
    dag_id="wirefeed_inbox",
    # A poll, not an event trigger: "files are present" stays true until they are landed, and a
    # trigger on it would fire again and again (Airflow's warning about always-true conditions).
    schedule=timedelta(minutes=5),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["wirefeed"],
    doc_md=__doc__,
)
def wirefeed_inbox():
    task(tasks.drain_inbox, task_id="drain_inbox")()


wirefeed_inbox()
