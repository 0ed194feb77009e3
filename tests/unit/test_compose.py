"""docker-compose.yml validates with Docker Compose's own parser (no engine needed)."""
import subprocess
from pathlib import Path

import compose
import yaml

from tests.conftest import ROOT

COMPOSE = Path(compose.__file__).parent / "docker-compose"  # the Go binary; its Python wrapper drops exit codes


def config_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(COMPOSE), "-f", str(path), "config", "-q"], capture_output=True, text=True,
                          timeout=60, cwd=path.parent)


def test_compose_file_is_valid():
    result = config_check(ROOT / "docker-compose.yml")
    assert result.returncode == 0, result.stderr


def test_compose_check_rejects_a_broken_file(tmp_path):
    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    doc["services"]["postgres"]["healthcheck"]["retries"] = "many"
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(yaml.safe_dump(doc))
    assert config_check(broken).returncode != 0


def test_compose_runs_airflow_and_migrates_both_databases():
    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = doc["services"]
    assert {"postgres", "airflow-init", "airflow-apiserver", "airflow-scheduler",
            "airflow-dag-processor", "airflow-triggerer"} <= set(services)
    assert services["postgres"]["image"] == "postgres:16"
    assert "airflow db migrate" in services["airflow-init"]["command"][-1]
    assert "wirefeed db migrate" in services["airflow-init"]["command"][-1]
    env = services["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "${AIRFLOW_EXECUTOR:-LocalExecutor}"
    assert env["AIRFLOW_CONN_WIREFEED_POSTGRES"].endswith("/wirefeed")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith("/airflow")
    mounts = " ".join(services["airflow-scheduler"]["volumes"])
    for folder in ("./dags", "./plugins", "./sql", "./feeds.yaml"):
        assert folder in mounts


def test_celery_profile_adds_redis_and_workers(tmp_path):
    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = doc["services"]
    assert services["redis"]["profiles"] == ["celery"] and services["airflow-worker"]["profiles"] == ["celery"]
    assert services["airflow-worker"]["command"] == "celery worker"
    assert services["airflow-worker"]["depends_on"]["redis"]["condition"] == "service_healthy"
    # Compose's own view of the profile: the worker and Redis appear only with --profile celery.
    plain = subprocess.run([str(COMPOSE), "-f", str(ROOT / "docker-compose.yml"), "config", "--services"],
                           capture_output=True, text=True, timeout=60, cwd=ROOT)
    celery = subprocess.run([str(COMPOSE), "-f", str(ROOT / "docker-compose.yml"), "--profile", "celery", "config",
                             "--services"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert "airflow-worker" not in plain.stdout.split() and "airflow-worker" in celery.stdout.split()
