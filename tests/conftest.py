"""Shared fixtures: a real PostgreSQL (embedded, or WIREFEED_TEST_DATABASE_URL) and real files."""
from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest

from wirefeed import db

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WIREFEED_SHARED", ROOT.parent / "shared"))
CORPORA = SHARED / "corpora"
FIXTURES = Path(__file__).parent / "fixtures"


def _with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _admin(url: str):
    """An autocommit connection for CREATE/DROP DATABASE."""
    conn = psycopg2.connect(url)
    conn.autocommit = True
    return conn


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """A URL to a maintenance database on a real PostgreSQL server for this test session."""
    url = os.environ.get("WIREFEED_TEST_DATABASE_URL")
    if url:
        yield url
        return
    # A folder of its own, outside pytest's basetemp (whose cleanup may delete another session's
    # folders), so concurrent test runs never share, stop or delete one embedded server.
    pgdata = Path(tempfile.mkdtemp(prefix="wirefeed-pg-"))
    yield db.embedded_url(pgdata, database="postgres")
    db.stop_embedded(pgdata)
    shutil.rmtree(pgdata, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_template(pg_server_url) -> str:
    """A migrated template database, copied for each test (much faster than migrating each time)."""
    name = f"wf_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = _admin(pg_server_url)
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    conn = psycopg2.connect(_with_database(pg_server_url, name))
    db.migrate(conn)
    conn.close()
    yield name
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


def _fresh_database(server_url: str, prefix: str, template: str | None = None):
    """Create a uniquely named database (optionally from a template), yield its URL, then drop it."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = _admin(server_url)
    admin.cursor().execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    yield _with_database(server_url, name)
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def db_url(pg_server_url, pg_template) -> str:
    """A fresh, migrated, empty database for one test; dropped afterwards."""
    yield from _fresh_database(pg_server_url, "wf_test", pg_template)


@pytest.fixture
def empty_db_url(pg_server_url) -> str:
    """A fresh database with no schema at all (for migration tests)."""
    yield from _fresh_database(pg_server_url, "wf_empty")


@pytest.fixture
def conn(db_url):
    """A connection to the fresh test database."""
    connection = psycopg2.connect(db_url)
    yield connection
    connection.close()


def count(conn, sql: str, *params) -> int:
    """The single integer a COUNT query returns."""
    with conn.cursor() as cur:
        cur.execute(sql, params)
        value = cur.fetchone()[0]
    conn.commit()
    return value
