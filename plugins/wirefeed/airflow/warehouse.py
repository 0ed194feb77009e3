"""The warehouse as seen from a task: the `wirefeed_postgres` connection, else WIREFEED_DATABASE_URL."""
from __future__ import annotations

import logging
from contextlib import contextmanager

from wirefeed import config, db

log = logging.getLogger(__name__)


def warehouse_url() -> str:
    """URL of the warehouse for tasks: env var connection, Airflow connection, or the embedded server."""
    url = config.database_url()
    if url:
        return url
    from airflow.exceptions import AirflowNotFoundException
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowRuntimeError

    try:
        return BaseHook.get_connection(config.CONN_ID).get_uri()
    except (AirflowNotFoundException, AirflowRuntimeError):
        log.info("no Airflow connection %r: using the embedded PostgreSQL", config.CONN_ID)
        return db.embedded_url()


@contextmanager
def warehouse():
    """A migrated connection to the warehouse, closed afterwards."""
    with db.connection(warehouse_url()) as conn:
        db.migrate(conn)
        yield conn
