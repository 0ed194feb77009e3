"""Fetching unchanged feeds: feeds/s and client CPU per feed for 304s, same-hash 200s, and the full fetch step.

The server runs in a separate process so the CPU figures are the fetcher's alone. Three runs over N distinct
feed URLs on one loopback host:
  304        the server honours If-None-Match (the usual case for a polite publisher)
  same-hash  the server ignores validators and resends the same body; wirefeed skips it by content hash
  pipeline   pipeline.fetch_feeds on PostgreSQL (politeness, state machine, landing) for the 304 case;
             skipped with --no-db. The host's min interval is lifted via the hosts table, as an operator would
             for a host they own.
Writes bench/out/bench_fetch.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

OUT = Path(__file__).parent / "out"
TARGET_CPU_MS = 5.0

_SERVER = textwrap.dedent("""
    import sys
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    BODY = b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>" + b"<item><title>x</title></item>" * 40 + b"</channel></rss>"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 65536  # headers and body in one segment, as real servers send them (no delayed-ACK stalls)

        def log_message(self, *args):
            pass

        def do_GET(self):
            honour = not self.path.startswith("/ignore/")
            if honour and self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.send_header("ETag", '"v1"')
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            if honour:
                self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)

    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print("ready", flush=True)
    server.serve_forever()
""")


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


def measure(label: str, n: int, work) -> dict:
    """Run work() and report wall time, feeds/s and CPU ms per feed of this process."""
    cpu, wall = time.process_time(), time.perf_counter()
    outcome = work()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    figures = {"run": label, "feeds": n, "seconds": round(wall, 3), "feeds_per_s": round(n / wall, 1),
               "cpu_ms_per_feed": round(cpu * 1000 / n, 3), **outcome}
    print(f"{label:>10}: {n} feeds in {wall:.2f} s = {figures['feeds_per_s']:.0f} feeds/s, "
          f"{figures['cpu_ms_per_feed']:.2f} ms CPU per feed  {outcome}")
    return figures


def fetch_loop(fetcher, urls: list[str], etag: str | None, last_hash: str | None) -> dict:
    """Fetch every URL once as the fetch step would, counting the unchanged ones."""
    unchanged = 0
    for url in urls:
        result = fetcher.fetch(url, etag=etag)
        if result.not_modified or (result.ok and result.content_hash == last_hash):
            unchanged += 1
        elif result.error:
            raise SystemExit(f"bench fetch failed: {url}: {result.error}")
    return {"unchanged": unchanged}


def _summary(counts) -> dict:
    """The counts of a fetch_feeds run that tell whether the bench measured what it meant to."""
    return {k: getattr(counts, k) for k in ("unchanged", "fetched", "failed", "deferred")}


def pipeline_run(urls: list[str]) -> dict | None:
    """fetch_feeds over all URLs on a fresh database (after a first run that lands the bodies)."""
    import psycopg2

    from wirefeed import config, db, load, pipeline
    from wirefeed.fetch import Fetcher
    from wirefeed.models import Feed
    from wirefeed.politeness import HostGate

    admin = config.database_url() or db.embedded_url(database="postgres")
    name = f"wirefeed_bench_fetch_{os.getpid()}"
    _admin(admin, f"CREATE DATABASE {name}")
    try:
        from psycopg2.extensions import make_dsn

        conn = psycopg2.connect(make_dsn(admin, dbname=name))
        db.migrate(conn)
        ids = list(load.upsert_feeds(conn, [Feed(url=u, name=u) for u in urls]).values())
        with conn.cursor() as cur:
            cur.execute("INSERT INTO hosts (host, min_interval_s, max_concurrency) VALUES ('127.0.0.1', 0, 4)")
        conn.commit()
        with Fetcher(allow_private=True) as fetcher:
            pipeline.fetch_feeds(conn, ids, fetcher=fetcher, gate=HostGate(conn))  # first sight: bodies land
            figures = measure("pipeline", len(ids), lambda: _summary(pipeline.fetch_feeds(
                conn, ids, fetcher=fetcher, gate=HostGate(conn))))
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FILTER (WHERE not_modified), count(*) FROM fetches")
            figures["not_modified_landed"], figures["fetch_rows"] = cur.fetchone()
        conn.close()
        return figures
    finally:
        _admin(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _admin(url: str, statement: str) -> None:
    """Run CREATE/DROP DATABASE, which refuses to run inside a transaction."""
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        conn.cursor().execute(statement)
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    """Run the three measurements and write the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--no-db", action="store_true", help="skip the fetch_feeds run on PostgreSQL")
    args = parser.parse_args(argv)

    from wirefeed.fetch import Fetcher
    from wirefeed.identity import sha256_hex

    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", _SERVER, str(port)], stdout=subprocess.PIPE)
    try:
        server.stdout.readline()
        base = f"http://127.0.0.1:{port}"
        honour = [f"{base}/feed/{n}" for n in range(args.feeds)]
        ignore = [f"{base}/ignore/{n}" for n in range(args.feeds)]
        results = []
        with Fetcher(allow_private=True) as fetcher:
            first = fetcher.fetch(ignore[0])
            fetch_loop(fetcher, honour[:50], '"v1"', None)  # warm-up: imports, first connection
            results.append(measure("304", args.feeds, lambda: fetch_loop(fetcher, honour, '"v1"', None)))
            results.append(measure("same-hash", args.feeds,
                                   lambda: fetch_loop(fetcher, ignore, None, sha256_hex(first.body))))
        if not args.no_db:
            results.append(pipeline_run(honour))
    finally:
        server.terminate()
        server.wait()
    report = {"bench": "fetch", "python": platform.python_version(), "cpus": os.cpu_count(),
              "target_cpu_ms_per_unchanged_feed": TARGET_CPU_MS, "results": results}
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_fetch.json").write_text(json.dumps(report, indent=2) + "\n")
    worst = max(r["cpu_ms_per_feed"] for r in results[:2])
    print(f"fetcher CPU per unchanged feed: {worst:.2f} ms (target < {TARGET_CPU_MS} ms) -> {OUT / 'bench_fetch.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
