"""Run a Python snippet against this project's DAG folder in a fresh interpreter and read its JSON."""
import json
import os
import subprocess
import sys

from tests.conftest import ROOT


def run_probe(source: str, tmp_path, **extra_env) -> dict:
    """Execute `source` with Airflow pointed at dags/ and plugins/; return the JSON its last line prints."""
    env = dict(os.environ, AIRFLOW_HOME=str(tmp_path), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW__CORE__DAGS_FOLDER=str(ROOT / "dags"), AIRFLOW__CORE__PLUGINS_FOLDER=str(ROOT / "plugins"),
               **extra_env)
    out = subprocess.run([sys.executable, "-c", source, str(ROOT / "dags")], env=env, capture_output=True,
                         text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])
