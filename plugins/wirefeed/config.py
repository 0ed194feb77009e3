"""The one home of settings: environment variables, the Airflow connection id, defaults."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONN_ID = "wirefeed_postgres"
USER_AGENT = "wirefeed/0.1 (+https://github.com/wirefeed/wirefeed)"

# Fetch defaults (overridable per feed in feeds.yaml and globally by env).
MAX_BODY_BYTES = 10 * 1024 * 1024
CONNECT_TIMEOUT_S = 10.0
DEADLINE_S = 30.0
MAX_REDIRECTS = 5
DEFAULT_POLL_INTERVAL_S = 3600
FETCH_BATCH_SIZE = 100
MAX_BATCHES = 1000  # stays under Airflow's default max_map_length (1024)

# Fetch state: when a feed is fetched next (all in seconds).
POLL_FLOOR_S = 300  # adaptive polling never asks a publisher more often than this...
POLL_CEILING_S = 86400  # ...nor leaves a feed unvisited longer than this
BACKOFF_BASE_S = 300  # first retry after a failure; doubles per consecutive failure
BACKOFF_MAX_S = 86400
RETRY_AFTER_MAX_S = 7 * 86400  # a Retry-After beyond this is clamped, not obeyed for years

# Politeness per host, honoured across parallel tasks (hosts table + advisory locks).
HOST_MAX_CONCURRENCY = 2
HOST_MIN_INTERVAL_S = 1.0
HOST_MAX_WAIT_S = 60.0  # a feed whose host stays busy longer is left due for the next run
FETCH_WORKERS = 8  # feeds fetched at once within one task (different hosts, or within a host's limit)


def env(name: str, default: str | None = None) -> str | None:
    """Read a WIREFEED_* setting; empty strings count as unset."""
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_flag(name: str) -> bool:
    """Read a boolean WIREFEED_* setting (1/true/yes/on)."""
    return (env(name) or "").strip().lower() in {"1", "true", "yes", "on"}


def env_float(name: str, default: float) -> float:
    """Read a numeric setting, falling back to the default."""
    raw = env(name)
    return float(raw) if raw is not None else default


def feeds_file() -> Path:
    """Path of the feed registry (WIREFEED_FEEDS_FILE, default feeds.yaml at the project root)."""
    return Path(env("WIREFEED_FEEDS_FILE") or PROJECT_ROOT / "feeds.yaml")


def migrations_dir() -> Path:
    """Folder holding the append-only SQL migrations."""
    return Path(env("WIREFEED_MIGRATIONS_DIR") or PROJECT_ROOT / "sql" / "migrations")


def embedded_pgdata() -> Path:
    """Where the embedded PostgreSQL keeps its data (git-ignored)."""
    return Path(env("WIREFEED_PGDATA") or PROJECT_ROOT / ".pgdata")


def inbox_dir() -> Path:
    """The drop folder whose files are landed as raw fetches."""
    return Path(env("WIREFEED_INBOX") or PROJECT_ROOT / "inbox")


def fetch_defaults() -> dict:
    """Global fetch limits: the defaults above, overridden by WIREFEED_FETCH_* variables."""
    return {
        "max_bytes": int(env_float("WIREFEED_FETCH_MAX_BYTES", MAX_BODY_BYTES)),
        "timeout": env_float("WIREFEED_FETCH_TIMEOUT", DEADLINE_S),
        "connect_timeout": env_float("WIREFEED_FETCH_CONNECT_TIMEOUT", CONNECT_TIMEOUT_S),
        "max_redirects": int(env_float("WIREFEED_FETCH_MAX_REDIRECTS", MAX_REDIRECTS)),
    }


def host_politeness() -> tuple[int, float]:
    """Global per-host (concurrency, min interval s): the defaults above, overridden by WIREFEED_HOST_* variables."""
    return (int(env_float("WIREFEED_HOST_MAX_CONCURRENCY", HOST_MAX_CONCURRENCY)),
            env_float("WIREFEED_HOST_MIN_INTERVAL", HOST_MIN_INTERVAL_S))


def fetch_workers() -> int:
    """Parallel fetches per task: FETCH_WORKERS, overridden by WIREFEED_FETCH_WORKERS."""
    return int(env_float("WIREFEED_FETCH_WORKERS", FETCH_WORKERS))


def allow_private() -> bool:
    """Whether fetches may reach loopback/private addresses (tests, demos, intranets)."""
    return env_flag("WIREFEED_ALLOW_PRIVATE")


def database_url() -> str | None:
    """The warehouse URL: WIREFEED_DATABASE_URL, else the Airflow connection env var, else None."""
    url = env("WIREFEED_DATABASE_URL")
    if url:
        return url
    conn = env("AIRFLOW_CONN_WIREFEED_POSTGRES")
    if conn and "://" in conn and not conn.lstrip().startswith("{"):
        # Airflow spells the scheme "postgres"; libpq accepts both.
        return conn
    return None


def daily_start_date():
    """First day wirefeed_daily covers (WIREFEED_START_DATE, YYYY-MM-DD, UTC); catchup runs every day since."""
    from datetime import date, datetime, timezone

    from wirefeed.errors import ConfigError

    raw = env("WIREFEED_START_DATE", "2026-01-01")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"WIREFEED_START_DATE={raw!r} is not a date (YYYY-MM-DD)") from None
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def daily_catchup() -> bool:
    """Whether wirefeed_daily catches up every day since its start date (WIREFEED_CATCHUP, default on)."""
    return (env("WIREFEED_CATCHUP") or "true").strip().lower() in {"1", "true", "yes", "on"}
