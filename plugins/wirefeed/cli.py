"""The `wirefeed` command: errors go to stderr as one line with a non-zero exit, JSON to stdout."""
from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys

from wirefeed.errors import WirefeedError

# Each module defines register(subparsers); a new command is one line here.
COMMAND_MODULES = (
    "wirefeed.commands.db",
    "wirefeed.commands.feeds",
    "wirefeed.commands.fetch",
    "wirefeed.commands.parse",
    "wirefeed.commands.extract",
    "wirefeed.commands.dedupe",
    "wirefeed.commands.report",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(prog="wirefeed", description="Ingest syndicated news feeds into PostgreSQL.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real missing dependency, not a command not built yet
                raise
            continue
        module.register(sub)
    return parser


def print_json(obj) -> None:
    """Write one JSON document (one line) to stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except WirefeedError as exc:
        print(f"wirefeed {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("wirefeed: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the promise is one line, never a traceback; -v shows it
        if args.verbose:
            raise
        print(f"wirefeed {args.command}: unexpected {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
