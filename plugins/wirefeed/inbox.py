"""The drop folder: files dropped in are claimed, landed as raw fetches, and only then archived.

Life of a file: `inbox/NAME` --rename--> `inbox/.claimed/NAME` --landed in `fetches`--> `inbox/.done/NAME`.
Renames within one folder are atomic, so two runs never claim one file; a crash after the claim leaves
the file in `.claimed/`, which the next run lands first; a content hash already landed for this inbox
is not landed again, so a crash after landing (or a file dropped twice) gives no second fetch.
Writers should copy under a dot-name (or `*.part`) and rename when done: those are never claimed.
"""
from __future__ import annotations

import logging
import mimetypes
import os
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from wirefeed import config, load
from wirefeed.identity import sha256_hex
from wirefeed.models import Fetch

log = logging.getLogger(__name__)

_LOCK_KEY = 0x77696E62  # one drain per inbox at a time (pg advisory lock, with the feed id)
_CONTENT_TYPES = {".xml": "application/xml", ".rss": "application/rss+xml", ".atom": "application/atom+xml",
                  ".json": "application/feed+json", ".txt": "text/plain", ".html": "text/html",
                  ".htm": "text/html"}


@dataclass
class InboxCounts:
    """What one drain did (task logs and XCom)."""

    recovered: int = 0  # claimed by a run that died before finishing them
    claimed: int = 0
    landed: int = 0
    duplicates: int = 0  # content already landed for this inbox
    rejected: int = 0  # larger than the body cap: moved to .rejected/, never landed
    busy: bool = False  # another run was draining this inbox

    def as_dict(self) -> dict:
        """The counts as a JSON-able dict."""
        return asdict(self)


def feed_url(folder: Path) -> str:
    """The synthetic feed URL of an inbox folder (one feed row per folder)."""
    return folder.resolve().as_uri()


def claim(folder: Path, *, min_age_s: float = 2.0) -> list[Path]:
    """Atomically move every finished file of the inbox into `.claimed/`; return the claimed paths."""
    claimed_dir = folder / ".claimed"
    claimed_dir.mkdir(parents=True, exist_ok=True)
    now = time.time()
    claimed = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith(".") or path.name.endswith((".part", ".tmp")):
            continue
        # A file touched a moment ago may still be being copied in by a writer that does not rename.
        if now - path.stat().st_mtime < min_age_s:
            continue
        target = claimed_dir / path.name
        if target.exists():  # a same-named file from a crashed run still waits: this one goes next run
            continue
        try:
            os.rename(path, target)
        except FileNotFoundError:  # another process claimed it first
            continue
        claimed.append(target)
    return claimed


def drain(conn, folder: Path | None = None, *, min_age_s: float = 2.0,
          max_bytes: int = config.MAX_BODY_BYTES) -> InboxCounts:
    """Land what a crashed run left claimed, then claim and land the new files; archive each once landed."""
    folder = Path(folder or config.inbox_dir())
    folder.mkdir(parents=True, exist_ok=True)
    counts = InboxCounts()
    feed_id = load.ensure_source_feed(conn, feed_url(folder), f"Drop folder {folder.name}")
    with conn.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s, %s::int)", (_LOCK_KEY, feed_id))
        locked = cur.fetchone()[0]
    conn.commit()
    if not locked:
        counts.busy = True
        log.info("inbox %s: another run is draining it", folder)
        return counts
    try:
        leftovers = sorted(p for p in (folder / ".claimed").glob("*") if p.is_file())
        counts.recovered = len(leftovers)
        fresh = claim(folder, min_age_s=min_age_s)
        counts.claimed = len(fresh)
        for path in leftovers + fresh:
            _land(conn, feed_id, folder, path, max_bytes, counts)
    finally:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s, %s::int)", (_LOCK_KEY, feed_id))
        conn.commit()
    log.info("inbox %s: %s", folder, counts.as_dict())
    return counts


def _land(conn, feed_id: int, folder: Path, path: Path, max_bytes: int, counts: InboxCounts) -> None:
    """Land one claimed file unless its content already is, then move it out of `.claimed/`."""
    if path.stat().st_size > max_bytes:
        counts.rejected += 1
        log.warning("inbox file %s is over %d bytes: moved to .rejected/", path.name, max_bytes)
        _archive(path, folder / ".rejected")
        return
    body = path.read_bytes()
    digest = sha256_hex(body)
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM fetches WHERE feed_id = %s AND content_hash = %s LIMIT 1", (feed_id, digest))
        seen = cur.fetchone() is not None
    conn.commit()
    if seen:
        counts.duplicates += 1
    else:
        content_type = _CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
        fetch = Fetch(url=(folder.resolve() / path.name).as_uri(), status=200, body=body, content_type=content_type,
                      content_hash=digest, fetched_at=datetime.now(timezone.utc),
                      headers={"x-wirefeed-source": "inbox"}, wire_bytes=len(body))
        load.record_fetch(conn, feed_id, fetch)  # commits: only now may the file leave .claimed/
        counts.landed += 1
    _archive(path, folder / ".done")


def _archive(path: Path, target_dir: Path) -> None:
    """Move a file into an archive folder without overwriting an earlier file of the same name."""
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / path.name
    if target.exists():
        target = target_dir / f"{int(time.time() * 1000)}-{path.name}"
    os.replace(path, target)
