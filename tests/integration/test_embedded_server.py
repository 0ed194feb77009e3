"""The embedded PostgreSQL (no server on the machine): started with wirefeed's settings, and stopped at the end."""
import psycopg2

from wirefeed import db


def _setting(url: str, name: str) -> str:
    """The server's current value of one setting."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT current_setting(%s)", (name,))
            return cur.fetchone()[0]
    finally:
        conn.close()


def test_embedded_server_runs_with_its_settings_and_stops(tmp_path):
    pgdata = tmp_path / "pg"
    url = db.embedded_url(pgdata, database="wirefeed")
    try:  # restarted once to apply them
        for name, value in db.EMBEDDED_SETTINGS.items():
            assert _setting(url, name) == value
    finally:
        db.stop_embedded(pgdata)
    assert not (pgdata / "postmaster.pid").exists()  # the restarted server is the one stopped
    # Started again, it keeps them: they are stored in the data folder.
    url = db.embedded_url(pgdata, database="wirefeed")
    try:
        assert _setting(url, "shared_buffers") == db.EMBEDDED_SETTINGS["shared_buffers"]
    finally:
        db.stop_embedded(pgdata)
