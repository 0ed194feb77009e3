"""Against a running `airflow standalone`: auth on the pages, a browser screenshot, NOTIFY-driven runs, backfill."""
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import httpx
import psycopg2
import pytest

from wirefeed import demo, load
from wirefeed.identity import sha256_hex
from wirefeed.models import Fetch

from tests.conftest import ROOT, _admin, _with_database, count
from tests.dags.test_daily import snapshot, three_days
from tests.dags.test_ui import newsroom

pytestmark = pytest.mark.airflow
ARTIFACTS = ROOT / "tests" / "artifacts"  # git-ignored: screenshots a reviewer can open
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _until(what: str, check, timeout: float, log: Path, every: float = 2.0):
    """Poll `check` until it returns something truthy; fail with the Airflow log's tail on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}; Airflow log tail:\n{tail}")


class Api:
    """The running api-server: its base URL, an admin token, and the standalone log."""

    def __init__(self, base: str, log: Path):
        self.base, self.log, self.token = base, log, None

    def login(self, home: Path) -> None:
        passwords = json.loads((home / "simple_auth_manager_passwords.json.generated").read_text())
        response = httpx.post(f"{self.base}/auth/token", json={"username": "admin", "password": passwords["admin"]})
        response.raise_for_status()
        self.token = response.json()["access_token"]

    def get(self, path: str, **kw) -> httpx.Response:
        return httpx.get(self.base + path, headers={"Authorization": f"Bearer {self.token}"}, timeout=30, **kw)

    def send(self, method: str, path: str, body: dict) -> dict:
        response = httpx.request(method, self.base + path, json=body, timeout=30,
                                 headers={"Authorization": f"Bearer {self.token}"})
        assert response.status_code < 300, response.text
        return response.json()


@pytest.fixture(scope="module")
def warehouse(pg_server_url, pg_template):
    """One migrated database for the whole module (the server outlives single tests)."""
    name = f"wf_ui_{uuid.uuid4().hex[:10]}"
    admin = _admin(pg_server_url)
    admin.cursor().execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    url = _with_database(pg_server_url, name)
    conn = psycopg2.connect(url)
    newsroom(conn)
    three_days(conn)
    conn.close()
    yield url
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="module")
def metadata_db(pg_server_url):
    """A PostgreSQL database for Airflow's own metadata: on SQLite, backfills race the scheduler."""
    name = f"wf_airflow_{uuid.uuid4().hex[:10]}"
    admin = _admin(pg_server_url)
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield _with_database(pg_server_url, name).replace("postgresql://", "postgresql+psycopg2://", 1)
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="module")
def api(warehouse, metadata_db, tmp_path_factory):
    """`airflow standalone` on a free port over the project's DAGs and plugin; stopped afterwards."""
    home = tmp_path_factory.mktemp("airflow")
    port = _free_port()
    env = demo.airflow_env(warehouse, AIRFLOW_HOME=str(home), AIRFLOW__API__PORT=str(port),
                           AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=metadata_db,
                           AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://localhost:{port}/execution/",
                           # History from May 2025 is backfilled on request, not caught up on unpausing.
                           WIREFEED_START_DATE="2025-05-01", WIREFEED_CATCHUP="false")
    log = home / "standalone.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "airflow"), "standalone"], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    server = Api(f"http://localhost:{port}", log)
    try:
        def up():
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                return httpx.get(f"{server.base}/wirefeed/feeds", timeout=5).status_code == 401
            except httpx.HTTPError:
                return False
        _until("the api-server", up, 420, log)
        server.login(home)
        yield server
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(90)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_pages_are_behind_airflow_auth(api):
    for path in ("/wirefeed/feeds", "/wirefeed/stories"):
        assert httpx.get(api.base + path).status_code == 401
        assert httpx.get(api.base + path, headers={"Authorization": "Bearer forged"}).status_code == 403
    page = api.get("/wirefeed/feeds")
    assert page.status_code == 200 and "Tribune World" in page.text and "Gazette &lt;Down&gt;" in page.text
    plugin = api.get("/api/v2/plugins").json()["plugins"]
    views = [(v["name"], v["href"]) for p in plugin if p["name"] == "wirefeed" for v in p["external_views"]]
    assert views == [("Feeds", "/wirefeed/feeds"), ("Stories", "/wirefeed/stories")]


class _SignedInProxy(http.server.BaseHTTPRequestHandler):
    """Forwards the browser's GETs to the api-server with the admin's token, like a signed-in session."""

    api: Api

    def do_GET(self):  # noqa: N802 - the stdlib's name
        upstream = self.api.get(self.path)
        self.send_response(upstream.status_code)
        self.send_header("Content-Type", upstream.headers.get("content-type", "text/html"))
        self.end_headers()
        self.wfile.write(upstream.content)

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_pages_in_headless_chromium(api):
    handler = type("Proxy", (_SignedInProxy,), {"api": api})
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        for name, path in (("feeds", "/wirefeed/feeds"), ("stories", "/wirefeed/stories?day=2025-05-20")):
            shot = ARTIFACTS / f"{name}.png"
            shot.unlink(missing_ok=True)
            subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                            "--hide-scrollbars", "--window-size=1400,900", f"--screenshot={shot}",
                            f"http://127.0.0.1:{proxy.server_address[1]}{path}"],
                           capture_output=True, timeout=180, check=True)
            data = shot.read_bytes()
            assert data.startswith(b"\x89PNG") and len(data) > 20_000, (name, len(data))  # a rendered page, not blank
    finally:
        proxy.shutdown()


def test_a_notify_starts_the_process_dag(api, warehouse):
    api.send("PATCH", "/api/v2/dags/wirefeed_process", {"is_paused": False})
    # The watcher's trigger only listens once the triggerer has picked it up.
    _until("the NOTIFY trigger", lambda: re.search(r"trigger ID \d+ starting", api.log.read_text(errors="replace")),
           180, api.log)
    conn = psycopg2.connect(warehouse)
    feed_id = count(conn, "SELECT id FROM feeds WHERE name = 'Tribune World'")
    body = (ROOT / "samples" / "tribune-world.xml").read_bytes().replace(b"emphasizing", b"underlining")
    fetch_id = load.record_fetch(conn, feed_id, Fetch(url="http://tribune.test/world.xml", status=200, body=body,
                                                      content_hash=sha256_hex(body),
                                                      fetched_at=datetime.now(timezone.utc)))
    _until("the landed fetch to be processed",
           lambda: count(conn, "SELECT count(*) FROM fetches WHERE id = %s AND processed_at IS NOT NULL", fetch_id),
           300, api.log)
    runs = _until("the process run to finish", lambda: [
        r for r in api.get("/api/v2/dags/wirefeed_process/dagRuns").json()["dag_runs"] if r["state"] == "success"],
        120, api.log)
    assert [r["run_type"] for r in runs] == ["asset_triggered"]
    assert count(conn, "SELECT count(*) FROM items WHERE text LIKE '%%underlining the growing security%%'") == 1
    conn.close()
    # Asset events carry the metadata: the NOTIFY's payload in, the run's counts out.
    events = api.get("/api/v2/assets/events", params={"order_by": "timestamp"}).json()["asset_events"]
    ARTIFACTS.mkdir(exist_ok=True)  # this test may run first, or without the screenshot test
    (ARTIFACTS / "asset_events.json").write_text(json.dumps(events, indent=1))
    landed = [e["extra"] for e in events if e["name"] == "wirefeed_raw_fetches"]
    produced = [e["extra"] for e in events if e["name"] == "wirefeed_items"]
    assert any(x["payload"].get("last_id") == fetch_id for x in landed if x.get("from_trigger")), landed
    assert produced and produced[-1]["items_updated"] >= 1 and produced[-1]["failed"] == 0, produced


def _backfill(api, behaviour: str) -> list[dict]:
    """Backfill 2025-05-19..21 and wait until the backfill completes with every run successful."""
    created = api.send("POST", "/api/v2/backfills", {
        "dag_id": "wirefeed_daily", "from_date": "2025-05-19T00:00:00Z", "to_date": "2025-05-21T00:00:00Z",
        "max_active_runs": 3, "reprocess_behavior": behaviour})
    _until(f"backfill {created['id']}", lambda: api.get(f"/api/v2/backfills/{created['id']}").json()["completed_at"],
           900, api.log, every=5)
    runs = api.get("/api/v2/dags/wirefeed_daily/dagRuns", params={"run_type": "backfill"}).json()["dag_runs"]
    assert sorted((r["logical_date"][:10], r["state"]) for r in runs) == [
        ("2025-05-19", "success"), ("2025-05-20", "success"), ("2025-05-21", "success")]
    return runs


def test_a_three_day_backfill_run_twice_gives_identical_tables(api, warehouse):
    api.send("PATCH", "/api/v2/dags/wirefeed_daily", {"is_paused": False})  # queued runs wait while paused
    _backfill(api, "none")
    conn = psycopg2.connect(warehouse)
    first = snapshot(conn)
    assert count(conn, "SELECT count(*) FROM fetches WHERE fetched_at < '2025-05-22' AND processed_at IS NULL") == 0
    runs = _backfill(api, "completed")
    # The same runs were run again (not skipped as already done), and changed nothing.
    for run in runs:
        ti = api.get(f"/api/v2/dags/wirefeed_daily/dagRuns/{run['dag_run_id']}/taskInstances/reprocess_day").json()
        assert ti["try_number"] == 2, ti
    assert snapshot(conn) == first
    conn.close()
