"""`wirefeed fetch [--allow-private] [--json] URL`: fetch one feed through the guarded fetcher and print its items."""
from __future__ import annotations

import dataclasses

from wirefeed import config
from wirefeed.clean import clean_item
from wirefeed.cli import print_json
from wirefeed.errors import FetchError, ParseError
from wirefeed.fetch import Limits, fetch
from wirefeed.parse import parse


def register(sub) -> None:
    """Add the `fetch` command."""
    parser = sub.add_parser("fetch", help="fetch one feed URL and print its items as JSON lines")
    parser.add_argument("url", metavar="URL")
    parser.add_argument("--allow-private", action="store_true",
                        help="admit loopback and private addresses (never link-local); also WIREFEED_ALLOW_PRIVATE=1")
    parser.add_argument("--json", action="store_true", help="JSON lines (the default and only format)")
    parser.add_argument("--max-bytes", type=int, help="cap on the body after decompression")
    parser.add_argument("--timeout", type=float, help="total deadline in seconds")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Fetch, parse and clean; any failure is one FetchError/ParseError line on stderr."""
    overrides = {"max_bytes": args.max_bytes, "timeout": args.timeout}
    allowed = args.allow_private or config.allow_private()
    result = fetch(args.url, allow_private=allowed, limits=Limits.from_settings(overrides))
    if result.error:
        where = f" (via {result.final_url})" if result.final_url and result.final_url != args.url else ""
        hint = ""
        if result.error_kind == "blocked" and not allowed and result.error.endswith(("loopback", "private")):
            hint = " (--allow-private admits loopback and private addresses)"
        raise FetchError(f"{args.url}{where}: {result.error}{hint}")
    parsed = parse(result.body, url=result.final_url or args.url, content_type=result.content_type)
    if parsed.error and not parsed.items:
        raise ParseError(f"{args.url}: {parsed.error}")
    for item in parsed.items:
        record = dataclasses.asdict(clean_item(item))
        for key in ("published_at", "updated_at"):
            if record[key] is not None:
                record[key] = record[key].isoformat()
        print_json(record)
    return 0
