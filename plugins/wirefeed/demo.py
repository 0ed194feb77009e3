"""`make demo`: serve the sample feeds on loopback, run both DAGs in real Airflow, print what landed."""
from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

from wirefeed import config, db
from wirefeed.errors import WirefeedError

SAMPLES = config.PROJECT_ROOT / "samples"


def airflow_env(database_url: str, **extra: str) -> dict:
    """Environment for an in-process Airflow (`airflow dags test`) over this project's DAGs."""
    root = config.PROJECT_ROOT
    env = dict(os.environ)
    env.update({
        "AIRFLOW_HOME": env.get("AIRFLOW_HOME") or str(root / ".airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(root / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(root / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": env.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO"),
        "AIRFLOW_CONN_WIREFEED_POSTGRES": database_url,
        # The venv's bin first: Airflow spawns `airflow` subprocesses.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    })
    env.update(extra)
    return env


def run_airflow(args: list[str], env: dict, log_path: Path) -> None:
    """Run one `airflow ...` command, its output to a log file; a failure raises with the log's tail."""
    airflow = str(Path(sys.executable).parent / "airflow")
    with log_path.open("ab") as log:
        proc = subprocess.run([airflow, *args], env=env, stdout=log, stderr=subprocess.STDOUT)
    text = log_path.read_text(errors="replace")
    failed = proc.returncode != 0 or "state=failed" in text.split("airflow " + args[0])[-1]
    if failed:
        tail = "\n".join(text.splitlines()[-30:])
        raise WirefeedError(f"`airflow {' '.join(args)}` failed (log: {log_path}):\n{tail}")


def serve_samples(folder: Path = SAMPLES, port: int = 0) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve a folder on a loopback port (0 = any free one); returns the server and its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise WirefeedError(f"cannot serve the samples on 127.0.0.1:{port} ({exc.strerror}); "
                            "set WIREFEED_DEMO_PORT to a free port") from None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that does not print every request."""

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


def run_dags(database_url: str, feeds_file: Path, samples_url: str, log_path: Path) -> None:
    """Run wirefeed_fetch (forced) then wirefeed_process through `airflow dags test`."""
    env = airflow_env(database_url, WIREFEED_FEEDS_FILE=str(feeds_file), WIREFEED_SAMPLES_URL=samples_url,
                      WIREFEED_ALLOW_PRIVATE="1")
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    run_airflow(["db", "migrate"], env, log_path)
    run_airflow(["dags", "test", "wirefeed_fetch", "--conf", '{"force": true}'], env, log_path)
    run_airflow(["dags", "test", "wirefeed_process"], env, log_path)


def snapshot(conn) -> dict:
    """Row counts the demo reports before and after."""
    with conn.cursor() as cur:
        cur.execute("""SELECT (SELECT count(*) FROM feeds), (SELECT count(*) FROM items),
                              (SELECT coalesce(max(id), 0) FROM fetches)""")
        feeds, items, last_fetch = cur.fetchone()
    conn.commit()
    return {"feeds": feeds, "items": items, "last_fetch": last_fetch}


def report(conn, before: dict) -> str:
    """A human summary of what this run fetched and loaded."""
    after = snapshot(conn)
    with db.dict_cursor(conn) as cur:
        cur.execute("""SELECT feeds.name, f.status, f.error, f.not_modified, f.body IS NULL AS skipped,
                              coalesce(f.items_found, 0) AS found, coalesce(f.items_new, 0) AS new
                       FROM fetches f JOIN feeds ON feeds.id = f.feed_id WHERE f.id > %s ORDER BY f.id""",
                    (before["last_fetch"],))
        fetches = cur.fetchall()
        cur.execute("""SELECT feeds.outlet, i.title, i.agencies, i.dateline ->> 'place' AS place, i.published_at
                       FROM items i JOIN feeds ON feeds.id = i.feed_id ORDER BY i.published_at DESC NULLS LAST
                       LIMIT 6""")
        rows = cur.fetchall()
        cur.execute("""SELECT s.title, s.agencies, s.dateline ->> 'place' AS place, s.outlets, s.item_count
                       FROM stories s WHERE s.item_count > 1 ORDER BY s.item_count DESC, s.id LIMIT 5""")
        stories = cur.fetchall()
        cur.execute("""SELECT (SELECT count(*) FROM stories) AS stories,
                              (SELECT coalesce(sum(item_count - 1), 0) FROM stories) AS copies""")
        totals = cur.fetchone()
    conn.commit()
    new = after["items"] - before["items"]
    lines = [f"wirefeed demo: {len(fetches)} feeds fetched, {new} new items loaded "
             f"({after['items']} items in {after['feeds']} feeds in total)"]
    for f in fetches:
        if f["error"]:
            state = f"failed: {f['error']}"
        elif f["not_modified"] or f["skipped"]:
            state = "unchanged since last fetch (nothing to re-parse)"
        else:
            state = f"{f['found']} items, {f['new']} new"
        lines.append(f"  {f['name']}: HTTP {f['status']}, {state}")
    if new == 0:
        lines.append("No new items: everything in the sample feeds is already loaded (re-runs are idempotent).")
    lines.append(f"{totals['stories']} stories; {totals['copies']} items are copies of a story already seen "
                 "from another outlet (each copy kept and linked to its story).")
    for st in stories:
        lines.append(f"  story \"{st['title'][:60]}\" ({'/'.join(st['agencies']) or '-'}, {st['place'] or '-'}): "
                     f"{st['item_count']} copies from {', '.join(st['outlets'])}")
    lines.append("Latest items:")
    for r in rows:
        agencies = "/".join(r["agencies"] or []) or "-"
        lines.append(f"  [{r['outlet']}] {r['title'][:70]}  (agency {agencies}, dateline {r['place'] or '-'})")
    return "\n".join(lines)


def main() -> int:
    """Run the demo end to end."""
    try:
        url = config.database_url() or db.embedded_url()
        with db.connection(url) as conn:
            db.migrate(conn)
            before = snapshot(conn)
            # A fixed port keeps the sample feeds' URLs (their identity) the same from run to run.
            server, samples_url = serve_samples(port=int(config.env("WIREFEED_DEMO_PORT", "8765")))
            log_path = config.PROJECT_ROOT / ".airflow" / "demo.log"
            log_path.parent.mkdir(parents=True, exist_ok=True)
            print(f"wirefeed demo: warehouse {db.redact(url)}; sample feeds on {samples_url}; "
                  f"running DAGs in Airflow (log: {log_path})", flush=True)
            try:
                run_dags(url, SAMPLES / "feeds.yaml", samples_url, log_path)
            finally:
                server.shutdown()
            print(report(conn, before))
        return 0
    except WirefeedError as exc:
        print(f"wirefeed demo: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
