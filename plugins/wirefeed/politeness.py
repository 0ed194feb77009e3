"""Per-host politeness honoured across parallel tasks: a concurrency limit (PostgreSQL advisory locks) and a
minimum interval between requests plus Retry-After pauses (the `hosts` table)."""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from wirefeed import config

# Advisory-lock keys live in one bigint space per database: a fixed prefix keeps ours apart from others'.
_KEY_PREFIX = 0x5746 << 48


def host_of(url: str) -> str:
    """The host a URL is fetched from, lower-cased (politeness is per host name, not per port)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


@dataclass(frozen=True)
class Lease:
    """One concurrency slot on a host, held until released."""

    host: str
    key: int


class HostGate:
    """Admits requests to hosts politely, coordinating through PostgreSQL with every other task.

    Slots are session-level advisory locks, so they survive the caller's commits and vanish with its
    connection if the task dies; the interval is claimed with one atomic upsert on `hosts`. Not thread-safe:
    callers sharing a gate serialise their calls (as they must for the connection anyway).
    """

    def __init__(self, conn, *, max_concurrency: int | None = None, min_interval_s: float | None = None):
        default_concurrency, default_interval = config.host_politeness()
        self.conn = conn
        self.max_concurrency = max(1, max_concurrency or default_concurrency)
        self.min_interval_s = max(0.0, default_interval if min_interval_s is None else min_interval_s)
        self._limits: dict[str, int] = {}
        # Advisory locks are re-entrant within a session: slots this gate holds must be skipped explicitly.
        self._held: set[int] = set()

    def try_acquire(self, host: str) -> tuple[Lease | None, float]:
        """Take a slot and the host's turn now: (lease, 0.0), or (None, seconds worth waiting first)."""
        lease = self._take_slot(host)
        if lease is None:
            return None, 0.2  # all slots busy in other tasks: they finish within one fetch deadline
        with self.conn.cursor() as cur:
            # Coordination state, not data: losing the last claims in a crash is harmless, waiting for fsync is not.
            cur.execute("SET LOCAL synchronous_commit TO off")
            cur.execute("""
                INSERT INTO hosts AS h (host, last_start_at) VALUES (%(host)s, clock_timestamp())
                ON CONFLICT (host) DO UPDATE SET last_start_at = clock_timestamp(), updated_at = now()
                WHERE h.last_start_at <= clock_timestamp() - make_interval(secs => COALESCE(h.min_interval_s, %(gap)s))
                  AND (h.not_before IS NULL OR h.not_before <= clock_timestamp())
                RETURNING true""", dict(host=host, gap=self.min_interval_s))
            claimed = cur.fetchone() is not None
            wait = 0.0
            if not claimed:
                cur.execute("""
                    SELECT EXTRACT(EPOCH FROM GREATEST(
                               last_start_at + make_interval(secs => COALESCE(min_interval_s, %s)),
                               COALESCE(not_before, '-infinity')) - clock_timestamp())
                    FROM hosts WHERE host = %s""", (self.min_interval_s, host))
                row = cur.fetchone()
                wait = max(0.05, float(row[0])) if row and row[0] is not None else 0.05
        self.conn.commit()
        if not claimed:
            self.release(lease)
            return None, wait
        return lease, 0.0

    def release(self, lease: Lease) -> None:
        """Give the slot back."""
        with self.conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", (lease.key,))
        self.conn.commit()
        self._held.discard(lease.key)

    def pause(self, host: str, seconds: float) -> None:
        """Keep every task off a host for a while (after 429/503 with Retry-After)."""
        with self.conn.cursor() as cur:
            cur.execute("""
                INSERT INTO hosts AS h (host, not_before) VALUES (%(host)s, clock_timestamp() + make_interval(secs => %(s)s))
                ON CONFLICT (host) DO UPDATE SET updated_at = now(),
                    not_before = GREATEST(h.not_before, clock_timestamp() + make_interval(secs => %(s)s))""",
                        dict(host=host, s=seconds))
        self.conn.commit()

    def _take_slot(self, host: str) -> Lease | None:
        """Lock the first free one of the host's concurrency slots, if any."""
        base = _KEY_PREFIX + (zlib.crc32(host.encode("utf-8")) << 16)
        with self.conn.cursor() as cur:
            for slot in range(self._limit(host, cur)):
                if base + slot in self._held:
                    continue
                cur.execute("SELECT pg_try_advisory_lock(%s)", (base + slot,))
                if cur.fetchone()[0]:
                    self.conn.commit()
                    self._held.add(base + slot)
                    return Lease(host, base + slot)
        self.conn.commit()
        return None

    def _limit(self, host: str, cur) -> int:
        """The host's concurrency limit: its own override in `hosts`, else the global one (read once per gate)."""
        if host not in self._limits:
            cur.execute("SELECT max_concurrency FROM hosts WHERE host = %s", (host,))
            row = cur.fetchone()
            self._limits[host] = min(int(row[0]) if row and row[0] else self.max_concurrency, 0xFFFF)
        return self._limits[host]
