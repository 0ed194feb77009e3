"""Connections to the warehouse, the embedded PostgreSQL, and the migrations runner."""
from __future__ import annotations

import atexit
import logging
import os
import re
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import psycopg2.extensions
import psycopg2.extras

from wirefeed import config
from wirefeed.errors import DatabaseUnavailable

log = logging.getLogger(__name__)
_MIGRATION_NAME = re.compile(r"^(\d{4})_[\w-]+\.sql$")
_embedded = {}


def _shared_buffers() -> str:
    """A quarter of the machine's memory, from 128 MB to 4 GB, written as PostgreSQL shows it (whole GB above 1 GB)."""
    # A quarter is PostgreSQL's own advice. Dedupe probes its LSH key index, fingerprints and items at random: at
    # 100k items 512 MB took dedupe from 552 to 492 us an item (128 MB, the default, held a 10k-item warehouse),
    # and at 1M items the key index alone is 1.3 GB. Shared memory is touched only as it is used.
    quarter = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 4 // 2**20
    megabytes = max(128, min(4096, quarter))
    return f"{megabytes // 1024}GB" if megabytes >= 1024 else f"{megabytes // 128 * 128}MB"


# The embedded server's settings beyond PostgreSQL's defaults.
EMBEDDED_SETTINGS = {"shared_buffers": _shared_buffers()}


def embedded_url(pgdata: Path | None = None, database: str = "wirefeed", keep_running: bool = False) -> str:
    """Start (or reuse) the embedded PostgreSQL and return a URL to `database`, creating it."""
    import pgserver  # imported lazily: only machines without a server need it

    pgdata = Path(pgdata or config.embedded_pgdata())
    pgdata.mkdir(parents=True, exist_ok=True)
    key = str(pgdata)
    if key not in _embedded:
        # pgserver reference-counts users of one data folder across processes.
        _embedded[key] = pgserver.get_server(pgdata, cleanup_mode=None if keep_running else "stop")
        _configure(_embedded[key])
    server = _embedded[key]
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return server.get_uri(database)


def _configure(server) -> None:
    """Give the embedded server EMBEDDED_SETTINGS, restarting it the one time they are not yet in effect."""
    import pgserver

    conn = psycopg2.connect(server.get_uri("postgres"))
    conn.autocommit = True  # ALTER SYSTEM cannot run in a transaction
    try:
        with conn.cursor() as cur:
            stale = []
            for name, value in EMBEDDED_SETTINGS.items():
                cur.execute("SELECT current_setting(%s)", (name,))
                if cur.fetchone()[0] != value:
                    stale.append(name)
                    cur.execute(f"ALTER SYSTEM SET {name} = %s", (value,))
    finally:
        conn.close()
    if stale:  # these are read when the server starts
        log.info("restarting the embedded PostgreSQL once to apply %s", ", ".join(stale))
        pgserver.pg_ctl(["-w", "-m", "fast", "restart"], pgdata=server.pgdata, user=server.system_user, timeout=60)
        server.ensure_postgres_running()  # pgserver's handle follows the new postmaster, so it can stop it at exit


def stop_embedded(pgdata: Path) -> None:
    """Stop the embedded server this process started on `pgdata` (no-op if none)."""
    server = _embedded.pop(str(Path(pgdata)), None)
    if server is not None:
        server.cleanup()
        # pgserver would clean up again at exit, logging to streams pytest has closed by then.
        atexit.unregister(server._cleanup)


def recreate_database(server_url: str, name: str) -> str:
    """Drop and create the empty database `name` on the server of `server_url`; return a URL to it."""
    admin = psycopg2.connect(server_url)
    admin.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
    try:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()
    return psycopg2.extensions.make_dsn(server_url, dbname=name)


def resolve_url(url: str | None = None) -> str:
    """The URL to use: the one given, the configured one, else the embedded server."""
    return url or config.database_url() or embedded_url()


def connect(url: str | None = None):
    """Open a psycopg2 connection; a server that is down raises DatabaseUnavailable."""
    url = resolve_url(url)
    try:
        return psycopg2.connect(url, connect_timeout=10, application_name="wirefeed")
    except psycopg2.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise DatabaseUnavailable(f"cannot connect to PostgreSQL at {redact(url)}: {reason}") from None


@contextmanager
def connection(url: str | None = None):
    """A connection that is closed on exit (commit is the caller's business)."""
    conn = connect(url)
    try:
        yield conn
    finally:
        conn.close()


def redact(url: str) -> str:
    """Hide the password in a connection URL before it reaches a log or an error."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def migration_files(folder: Path | None = None) -> list[tuple[str, Path]]:
    """The migration files in order, as (version, path)."""
    folder = Path(folder or config.migrations_dir())
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((path.stem, path))
    return found


def migrate(conn, folder: Path | None = None) -> list[str]:
    """Apply pending migrations in order, each in its own transaction; return the versions applied."""
    with conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
    conn.commit()
    applied = []
    for version, path in migration_files(folder):
        with conn.cursor() as cur:
            # The advisory lock makes two concurrent migrators take turns instead of racing.
            cur.execute("SELECT pg_advisory_xact_lock(727272)")
            cur.execute("SELECT 1 FROM schema_migrations WHERE version = %s", (version,))
            if cur.fetchone():
                conn.rollback()
                continue
            cur.execute(path.read_text(encoding="utf-8"))
            cur.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))
        conn.commit()
        log.info("applied migration %s", version)
        applied.append(version)
    return applied


def dict_cursor(conn):
    """A cursor whose rows are dicts."""
    return conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor)
