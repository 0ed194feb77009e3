"""DagBag integrity: the DAG files import cleanly, touch nothing at import, and set retries."""

from tests.dags.airflow_probe import run_probe

# Runs in a fresh interpreter so the audit hook and the psycopg2 spy cannot leak into other tests.
PROBE = r"""
import json, sys
calls, recording = [], []
WATCHED = ("socket.connect", "socket.getaddrinfo", "subprocess.Popen")
sys.addaudithook(lambda event, args: calls.append(event) if recording and event in WATCHED else None)
import psycopg2
def spy(*a, **k):
    calls.append("psycopg2.connect")
    raise RuntimeError("no database at import time")
psycopg2.connect = spy
from airflow.dag_processing.dagbag import DagBag
import croniter  # probes the platform with a subprocess when first imported: not ours
recording.append(True)
bag = DagBag(dag_folder=sys.argv[1])
dags = {d.dag_id: {"tasks": {t.task_id: t.retries for t in d.tasks}, "tags": sorted(d.tags)} for d in bag.dags.values()}
print(json.dumps({"errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": dags, "calls": calls}))
"""


def load_dagbag(tmp_path):
    return run_probe(PROBE, tmp_path, WIREFEED_DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")


def test_dagbag(tmp_path):
    result = load_dagbag(tmp_path)
    assert result["errors"] == {}
    assert {"wirefeed_fetch", "wirefeed_process"} <= set(result["dags"])
    # Nothing at import time: no database connection, no network, no subprocess.
    assert result["calls"] == []
    for dag_id, dag in result["dags"].items():
        assert "wirefeed" in dag["tags"], dag_id
        assert all(retries >= 1 for retries in dag["tasks"].values()), (dag_id, dag["tasks"])
    assert set(result["dags"]["wirefeed_fetch"]["tasks"]) >= {"sync_registry", "plan_batches", "fetch_batch", "announce"}
