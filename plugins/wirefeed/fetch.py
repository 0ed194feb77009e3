"""HTTP fetching of one feed: conditional GET, timeouts, a body cap. Never raises for a bad feed."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import requests

from wirefeed import config
from wirefeed.identity import sha256_hex
from wirefeed.models import Fetch

KEPT_HEADERS = ("content-type", "etag", "last-modified", "retry-after", "location", "cache-control", "expires")


def fetch(url: str, *, etag: str | None = None, last_modified: str | None = None,
          max_bytes: int = config.MAX_BODY_BYTES, timeout_s: float = config.DEADLINE_S) -> Fetch:
    """GET one feed URL; the outcome (body, 304 or error) is always returned as a Fetch."""
    headers = {"User-Agent": config.USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    started = time.monotonic()
    fetched_at = datetime.now(timezone.utc)
    try:
        with requests.get(url, headers=headers, timeout=(config.CONNECT_TIMEOUT_S, timeout_s), stream=True) as resp:
            kept = {k: v for k, v in resp.headers.items() if k.lower() in KEPT_HEADERS}
            common = dict(url=url, status=resp.status_code, final_url=resp.url, headers=kept,
                          content_type=resp.headers.get("Content-Type"), etag=resp.headers.get("ETag"),
                          last_modified=resp.headers.get("Last-Modified"), fetched_at=fetched_at)
            if resp.status_code == 304:
                return Fetch(**common, not_modified=True, elapsed_ms=_ms(started))
            if resp.status_code >= 400:
                return Fetch(**common, error=f"HTTP {resp.status_code} {resp.reason}", elapsed_ms=_ms(started))
            body = bytearray()
            for chunk in resp.iter_content(64 * 1024):
                body.extend(chunk)
                if len(body) > max_bytes:
                    return Fetch(**common, error=f"body larger than {max_bytes} bytes", elapsed_ms=_ms(started))
            data = bytes(body)
            return Fetch(**common, body=data, content_hash=sha256_hex(data), elapsed_ms=_ms(started))
    except requests.RequestException as exc:
        return Fetch(url=url, error=f"{exc.__class__.__name__}: {exc}", fetched_at=fetched_at, elapsed_ms=_ms(started))


def _ms(started: float) -> int:
    """Milliseconds since `started` (a monotonic reading)."""
    return int((time.monotonic() - started) * 1000)
