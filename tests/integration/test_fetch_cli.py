"""The `wirefeed fetch` and `wirefeed feeds import-opml|export-opml|list` commands, run as a user runs them."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import count
from tests.integration.test_fetch_pipeline import RSS
from tests.unit.test_opml import READER_EXPORT


def wirefeed(*args, env=None, cwd=None):
    """Run the CLI in a subprocess; (exit code, stdout, stderr)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WIREFEED_")}
    environ.update(env or {})
    done = subprocess.run([sys.executable, "-m", "wirefeed.cli", *args], capture_output=True, env=environ,
                          cwd=cwd, timeout=60)
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def assert_one_line_failure(code, out, err, *words):
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, err


def test_fetch_prints_items_as_json_lines(httpserver):
    httpserver.expect_request("/feed").respond_with_data(RSS, content_type="application/rss+xml")
    code, out, err = wirefeed("fetch", "--allow-private", "--json", httpserver.url_for("/feed"))
    assert code == 0, err
    items = [json.loads(line) for line in out.splitlines()]
    assert [i["title"] for i in items] == ["Story one", "Story two"]
    assert items[0]["guid"].endswith("a1") and "NEW DELHI" in items[0]["text"]


def test_allow_private_can_come_from_the_environment(httpserver):
    httpserver.expect_request("/feed").respond_with_data(RSS)
    code, out, _ = wirefeed("fetch", httpserver.url_for("/feed"), env={"WIREFEED_ALLOW_PRIVATE": "1"})
    assert code == 0 and len(out.splitlines()) == 2


def test_fetch_failures_are_one_clear_line(httpserver):
    httpserver.expect_request("/missing").respond_with_data("no", status=404)
    assert_one_line_failure(*wirefeed("fetch", "--allow-private", httpserver.url_for("/missing")),
                            "wirefeed fetch:", "HTTP 404 Not Found")
    assert_one_line_failure(*wirefeed("fetch", httpserver.url_for("/missing")), "loopback", "--allow-private")
    assert_one_line_failure(*wirefeed("fetch", "--allow-private", "http://169.254.169.254/latest/meta-data/"),
                            "link-local")
    assert_one_line_failure(*wirefeed("fetch", "file:///etc/passwd"), "only http and https")
    assert_one_line_failure(*wirefeed("fetch", "http://2130706433/"), "127.0.0.1 is loopback")
    assert_one_line_failure(*wirefeed("fetch", "http://no-such-host.invalid/"), "cannot resolve host")


def test_fetch_of_something_that_is_not_a_feed(httpserver):
    httpserver.expect_request("/bin").respond_with_data(b"\x00\x01\x02\x03" * 100, content_type="application/octet-stream")
    code, out, err = wirefeed("fetch", "--allow-private", httpserver.url_for("/bin"))
    assert code != 0 and out == "" and "Traceback" not in err and err.strip()


def test_opml_import_list_export_round_trip(db_url, tmp_path, conn):
    env = {"WIREFEED_DATABASE_URL": db_url}
    opml_file = tmp_path / "subs.opml"
    opml_file.write_bytes(READER_EXPORT)
    code, out, err = wirefeed("feeds", "import-opml", str(opml_file), env=env)
    assert code == 0, err
    assert json.loads(out) == {"listed": 4, "added": 4, "existing": 0, "skipped": 2}
    assert "file:///etc/passwd" in err
    code, out, _ = wirefeed("feeds", "import-opml", str(opml_file), env=env)
    assert json.loads(out)["added"] == 0 and json.loads(out)["existing"] == 4
    code, out, _ = wirefeed("feeds", "list", env=env)
    listed = [json.loads(line) for line in out.splitlines()]
    assert len(listed) == 4 and all(f["enabled"] and f["error_count"] == 0 for f in listed)
    code, exported, _ = wirefeed("feeds", "export-opml", env=env)
    assert code == 0 and exported.startswith("<?xml")
    assert "https://www.thehindu.com/news/feeder/default.rss" in exported and 'category="Outlets,South Asia"' in exported
    out_file = tmp_path / "out.opml"
    assert wirefeed("feeds", "export-opml", "-o", str(out_file), env=env)[0] == 0
    assert out_file.read_text(encoding="utf-8").count("xmlUrl=") == 4
    assert count(conn, "SELECT count(*) FROM feeds WHERE tags @> ARRAY['Wires']") == 2


def test_opml_import_errors_are_one_line(db_url, tmp_path):
    env = {"WIREFEED_DATABASE_URL": db_url}
    assert_one_line_failure(*wirefeed("feeds", "import-opml", str(tmp_path / "nope.opml"), env=env), "nope.opml")
    bad = tmp_path / "bad.opml"
    bad.write_text("<rss/>")
    assert_one_line_failure(*wirefeed("feeds", "import-opml", str(bad), env=env), "not an OPML document")
