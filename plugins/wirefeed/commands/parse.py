"""`wirefeed parse [--json] PATH|URL ...`: print every item of every input as one JSON line."""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from wirefeed.clean import clean_item
from wirefeed.cli import print_json
from wirefeed.errors import WirefeedError
from wirefeed.fetch import fetch
from wirefeed.parse import parse

_URL_SCHEMES = ("http://", "https://")


def register(sub) -> None:
    """Add the `parse` command."""
    parser = sub.add_parser("parse", help="parse feed files or URLs and print their items as JSON lines")
    parser.add_argument("inputs", nargs="+", metavar="PATH|URL")
    parser.add_argument("--json", action="store_true", help="JSON lines (the default and only format)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Parse each input; a failing input gets one stderr line and the others still print."""
    failed = 0
    for source in args.inputs:
        try:
            data, url, content_type = _read(source)
        except WirefeedError as exc:
            _complain(source, str(exc))
            failed += 1
            continue
        result = parse(data, url=url, content_type=content_type)
        if result.error and not result.items:
            _complain(source, result.error)
            failed += 1
            continue
        if result.partial:
            _complain(source, f"partial: {result.error}")
        for item in result.items:
            print_json({**_record(clean_item(item)), "source": source})
    return 1 if failed else 0


def _read(source: str) -> tuple[bytes, str | None, str | None]:
    """The bytes of a file or URL, with the URL and content type parse() should know about."""
    if source.lower().startswith(_URL_SCHEMES):
        result = fetch(source)
        if result.error:
            raise WirefeedError(result.error)
        if result.body is None:
            raise WirefeedError(f"no body (HTTP {result.status})")
        return result.body, result.final_url or source, result.content_type
    try:
        return Path(source).read_bytes(), None, None
    except OSError as exc:
        raise WirefeedError(exc.strerror or str(exc)) from None


def _record(item) -> dict:
    """An item as a JSON-able dict, dates in ISO 8601."""
    record = dataclasses.asdict(item)
    for key in ("published_at", "updated_at"):
        if record[key] is not None:
            record[key] = record[key].isoformat()
    return record


def _complain(source: str, reason: str) -> None:
    """One stderr line naming the input and what went wrong with it."""
    print(f"wirefeed parse: {source}: {reason}", file=sys.stderr)
