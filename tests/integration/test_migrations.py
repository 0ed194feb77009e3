"""Migrations apply from empty, in order, and a re-run is a no-op."""
import psycopg2

from wirefeed import db


def test_migrate_from_empty_then_noop(empty_db_url):
    conn = psycopg2.connect(empty_db_url)
    applied = db.migrate(conn)
    assert applied == [v for v, _ in db.migration_files()]
    assert applied[0].startswith("0001_")
    assert db.migrate(conn) == []
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM schema_migrations")
        assert cur.fetchone()[0] == len(applied)
        cur.execute("SELECT to_regclass('items'), to_regclass('fetches'), to_regclass('feeds')")
        assert all(cur.fetchone())
    conn.close()


def test_migration_files_are_numbered_uniquely():
    versions = [v[:4] for v, _ in db.migration_files()]
    assert versions == sorted(versions)
    assert len(versions) == len(set(versions))
