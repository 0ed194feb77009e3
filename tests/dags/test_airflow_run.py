"""The DAGs run in real Airflow (`airflow dags test`) against PostgreSQL and a local feed server."""
import psycopg2
import pytest

from wirefeed import demo

from tests.conftest import ROOT, count

pytestmark = pytest.mark.airflow


def test_dags_test_loads_rows_and_rerun_adds_none(db_url, tmp_path, httpserver, monkeypatch):
    for name in ("tribune-world.xml", "dailycourier-world.atom"):
        httpserver.expect_request(f"/{name}").respond_with_data((ROOT / "samples" / name).read_bytes())
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    log = tmp_path / "airflow.log"
    samples_url = httpserver.url_for("").rstrip("/")

    demo.run_dags(db_url, ROOT / "samples" / "feeds.yaml", samples_url, log)
    conn = psycopg2.connect(db_url)
    assert count(conn, "SELECT count(*) FROM feeds") == 2
    assert count(conn, "SELECT count(*) FROM fetches WHERE status = 200 AND processed_at IS NOT NULL") == 2
    assert count(conn, "SELECT count(*) FROM items") == 6
    assert count(conn, "SELECT count(DISTINCT feed_id) FROM items") == 2
    text = log.read_text()
    assert "fetched 2 feeds: 2 new bodies" in text and "6 new" in text

    demo.run_dags(db_url, ROOT / "samples" / "feeds.yaml", samples_url, log)
    assert count(conn, "SELECT count(*) FROM items") == 6
    assert count(conn, "SELECT count(*) FROM fetches") == 4
    conn.close()
