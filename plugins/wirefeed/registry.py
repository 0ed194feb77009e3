"""The feed registry file (feeds.yaml): reading and validating it, with errors that name file and line."""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from wirefeed.errors import ConfigError
from wirefeed.models import Feed

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
FEED_KEYS = {"name", "url", "outlet", "country", "language", "tags", "poll_interval", "max_bytes",
             "timeout", "connect_timeout", "max_redirects", "enabled"}


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader that remembers the line each mapping starts on."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def parse_duration(value, where: str) -> int:
    """Seconds from 900, "15m", "1h" or "1d"."""
    match = _DURATION.match(str(value))
    if not match:
        raise ConfigError(f"{where}: poll_interval {value!r} is not a duration like 900, 15m, 1h or 1d")
    return int(match.group(1)) * _UNITS[match.group(2)]


def load_registry(path: Path | str) -> list[Feed]:
    """Read feeds.yaml into Feeds; any problem raises ConfigError naming the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: feed registry not found (set WIREFEED_FEEDS_FILE or create it)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read feed registry: {exc}") from None
    try:
        doc = yaml.load(os.path.expandvars(text), Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{line}: invalid YAML: {problem}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("feeds"), list):
        raise ConfigError(f"{path}:1: expected a mapping with a 'feeds:' list")
    defaults = doc.get("defaults") or {}
    feeds, seen = [], {}
    for entry in doc["feeds"]:
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: every entry under 'feeds:' must be a mapping with at least 'url'")
        where = f"{path}:{entry.get('__line__', '?')}"
        feed = _feed({**{k: v for k, v in defaults.items() if k != "__line__"}, **entry}, where)
        if feed.url in seen:
            raise ConfigError(f"{where}: duplicate feed url {feed.url} (first at line {seen[feed.url]})")
        seen[feed.url] = entry.get("__line__", "?")
        feeds.append(feed)
    return feeds


def _feed(entry: dict, where: str) -> Feed:
    """Validate one registry entry and build its Feed."""
    unknown = set(entry) - FEED_KEYS - {"__line__"}
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(FEED_KEYS))}")
    url = str(entry.get("url") or "").strip()
    if not re.match(r"^https?://[^/\s]+", url):
        raise ConfigError(f"{where}: feed url {url!r} must be an http(s) URL")
    tags = entry.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",") if t.strip()]
    interval = entry.get("poll_interval")
    settings = {k: entry[k] for k in ("max_bytes", "timeout", "connect_timeout", "max_redirects", "enabled")
                if k in entry}
    return Feed(
        url=url,
        name=str(entry.get("name") or url),
        outlet=entry.get("outlet"),
        country=entry.get("country"),
        language=entry.get("language"),
        tags=tuple(str(t) for t in tags),
        poll_interval_s=parse_duration(interval, where) if interval is not None else None,
        settings=settings,
    )
