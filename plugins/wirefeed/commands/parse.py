"""`wirefeed parse PATH|URL ...`: print every item of every input as JSON lines."""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from wirefeed.clean import clean_item
from wirefeed.cli import print_json
from wirefeed.parse import parse


def register(sub) -> None:
    """Add the `parse` command."""
    parser = sub.add_parser("parse", help="parse feed files or URLs and print their items")
    parser.add_argument("inputs", nargs="+", metavar="PATH|URL")
    parser.add_argument("--json", action="store_true", help="JSON lines (the default and only format)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Parse each input; failures are reported per input and the others still print."""
    failed = 0
    for source in args.inputs:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            print(f"wirefeed parse: {source}: {exc.strerror or exc}", file=sys.stderr)
            failed += 1
            continue
        result = parse(data, url=None)
        if result.error:
            print(f"wirefeed parse: {source}: {result.error}", file=sys.stderr)
            failed += 1
            continue
        for item in result.items:
            print_json({**dataclasses.asdict(clean_item(item)), "source": source})
    return 1 if failed else 0
