"""The CLI: help, migrations, and one clear stderr line (never a traceback) on failure."""
import json
import os
import subprocess
import sys

from tests.conftest import ROOT

WIREFEED = [sys.executable, "-m", "wirefeed.cli"]


def run(*args, env=None):
    return subprocess.run([*WIREFEED, *args], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, **(env or {})})


def test_help_lists_commands():
    out = run("--help")
    assert out.returncode == 0
    for command in ("db", "feeds", "parse", "report"):
        assert command in out.stdout


def test_db_migrate_twice(db_url):
    first = run("db", "migrate", "--database-url", db_url)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["applied"] == []  # the test database comes migrated
    report = run("report", env={"WIREFEED_DATABASE_URL": db_url})
    assert report.returncode == 0 and json.loads(report.stdout)["items"] == 0


def test_database_down_is_one_line():
    out = run("report", env={"WIREFEED_DATABASE_URL": "postgresql://u:pw@127.0.0.1:1/x"})
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wirefeed report: cannot connect to PostgreSQL at")
    assert "pw" not in lines[0]


def test_bad_registry_is_one_line(tmp_path, db_url):
    bad = tmp_path / "feeds.yaml"
    bad.write_text("feeds:\n  - url: https://ok.example/rss\n  - url: nope\n")
    out = run("feeds", "sync", "--file", str(bad), env={"WIREFEED_DATABASE_URL": db_url})
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.strip() == f"wirefeed feeds: {bad}:3: feed url 'nope' must be an http(s) URL"
