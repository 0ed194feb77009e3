"""The drop folder lands each file once, survives a crash between claim and land, and feeds the pipeline."""
import shutil

from wirefeed import inbox, pipeline

from tests.conftest import ROOT, SHARED, count

SEED = sorted((SHARED / "seed").glob("*.txt"))[0]
FEED = ROOT / "samples" / "tribune-world.xml"


def _drop(folder, source, name=None):
    """Copy a file into the inbox the way a writer should: under a dot-name, then renamed."""
    name = name or source.name
    shutil.copyfile(source, folder / f".{name}")
    (folder / f".{name}").rename(folder / name)


def test_files_are_landed_then_archived_and_processed(conn, tmp_path):
    _drop(tmp_path, SEED)
    _drop(tmp_path, FEED)
    (tmp_path / "half-copied.xml.part").write_bytes(b"<rss")
    counts = inbox.drain(conn, tmp_path, min_age_s=0)
    assert (counts.claimed, counts.landed, counts.duplicates) == (2, 2, 0)
    assert sorted(p.name for p in (tmp_path / ".done").iterdir()) == sorted([SEED.name, FEED.name])
    assert list((tmp_path / ".claimed").iterdir()) == []
    assert (tmp_path / "half-copied.xml.part").exists()  # never claimed: the writer has not finished
    assert count(conn, "SELECT count(*) FROM fetches f JOIN feeds ON feeds.id = f.feed_id "
                       "WHERE feeds.url = %s AND f.body IS NOT NULL", inbox.feed_url(tmp_path)) == 2
    # The inbox feed is never planned for an HTTP fetch.
    assert pipeline.plan_fetch_batches(conn, force=True) == []

    processed = pipeline.process_pending(conn)
    assert processed.fetches == 2 and processed.failed == 0
    # Both files land under the one inbox feed: the wire story and the sample feed's three entries.
    assert count(conn, "SELECT count(*) FROM items i JOIN feeds ON feeds.id = i.feed_id WHERE feeds.url = %s",
                 inbox.feed_url(tmp_path)) == 1 + 3
    assert count(conn, "SELECT count(*) FROM items WHERE title LIKE 'Israeli, Azerbaijani Defence%%'") >= 1


def test_same_content_dropped_again_is_not_landed_twice(conn, tmp_path):
    _drop(tmp_path, SEED)
    inbox.drain(conn, tmp_path, min_age_s=0)
    _drop(tmp_path, SEED, "renamed-copy.txt")
    _drop(tmp_path, SEED)  # same name as the archived one: archived beside it, not over it
    counts = inbox.drain(conn, tmp_path, min_age_s=0)
    assert (counts.landed, counts.duplicates) == (0, 2)
    assert count(conn, "SELECT count(*) FROM fetches") == 1
    assert len(list((tmp_path / ".done").iterdir())) == 3


def test_crash_between_claim_and_land_loses_nothing(conn, tmp_path):
    _drop(tmp_path, SEED)
    claimed = inbox.claim(tmp_path, min_age_s=0)  # ...and the run dies here, before landing
    assert [p.name for p in claimed] == [SEED.name] and not (tmp_path / SEED.name).exists()
    assert count(conn, "SELECT count(*) FROM fetches") == 0

    counts = inbox.drain(conn, tmp_path, min_age_s=0)
    assert (counts.recovered, counts.claimed, counts.landed) == (1, 0, 1)
    assert (tmp_path / ".done" / SEED.name).read_bytes() == SEED.read_bytes()
    assert count(conn, "SELECT count(*) FROM fetches") == 1


def test_crash_between_land_and_archive_lands_once(conn, tmp_path):
    _drop(tmp_path, SEED)
    inbox.drain(conn, tmp_path, min_age_s=0)
    # As if the run died after committing the fetch but before moving the file out of .claimed/.
    (tmp_path / ".done" / SEED.name).rename(tmp_path / ".claimed" / SEED.name)
    counts = inbox.drain(conn, tmp_path, min_age_s=0)
    assert (counts.recovered, counts.landed, counts.duplicates) == (1, 0, 1)
    assert count(conn, "SELECT count(*) FROM fetches") == 1


def test_fresh_and_oversized_files(conn, tmp_path):
    _drop(tmp_path, FEED)
    assert inbox.drain(conn, tmp_path, min_age_s=60).claimed == 0  # may still be being written
    counts = inbox.drain(conn, tmp_path, min_age_s=0, max_bytes=100)
    assert (counts.claimed, counts.rejected, counts.landed) == (1, 1, 0)
    assert (tmp_path / ".rejected" / FEED.name).exists()
    assert count(conn, "SELECT count(*) FROM fetches") == 0
