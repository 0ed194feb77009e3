"""`wirefeed feeds ...`: the feed registry (sync from feeds.yaml, list, OPML import and export)."""
from __future__ import annotations

import sys
from pathlib import Path

from wirefeed import config, db, load, opml, pipeline
from wirefeed.cli import print_json
from wirefeed.errors import ConfigError


def register(sub) -> None:
    """Add the `feeds` command group."""
    parser = sub.add_parser("feeds", help="the feed registry")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sync = actions.add_parser("sync", help="upsert feeds.yaml into the database")
    sync.add_argument("--file", help=f"registry file (default {config.feeds_file()})")
    sync.set_defaults(handler=run_sync)
    listing = actions.add_parser("list", help="every feed with its fetch state, one JSON object a line")
    listing.set_defaults(handler=run_list)
    importing = actions.add_parser("import-opml", help="add the feeds an OPML file lists (existing feeds are kept)")
    importing.add_argument("file", metavar="FILE")
    importing.set_defaults(handler=run_import_opml)
    exporting = actions.add_parser("export-opml", help="write every feed as OPML 2.0 (stdout by default)")
    exporting.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    exporting.set_defaults(handler=run_export_opml)


def run_sync(args) -> int:
    """Sync the registry file into `feeds`."""
    with db.connection() as conn:
        db.migrate(conn)
        count = pipeline.sync_registry(conn, args.file)
    print_json({"feeds": count})
    return 0


def run_list(args) -> int:
    """Print each feed and its state (disabled and failing feeds included, with why)."""
    with db.connection() as conn, db.dict_cursor(conn) as cur:
        cur.execute("""SELECT id, name, url, fetch_url, outlet, enabled, disabled_reason, last_fetch_at, last_status,
                              error_count, last_error, next_fetch_at, interval_s, pending_redirect
                       FROM feeds ORDER BY id""")
        for row in cur.fetchall():
            print_json(dict(row))
    return 0


def run_import_opml(args) -> int:
    """Add an OPML file's feeds; print what was added, already there, and skipped."""
    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{args.file}: {exc.strerror or exc}") from None
    parsed = opml.read_opml(data, source=args.file)
    with db.connection() as conn:
        db.migrate(conn)
        added = load.add_new_feeds(conn, list(parsed.feeds))
    for reason in parsed.skipped:
        print(f"wirefeed feeds import-opml: skipped {reason}", file=sys.stderr)
    print_json({"listed": len(parsed.feeds), "added": len(added), "existing": len(parsed.feeds) - len(added),
                "skipped": len(parsed.skipped)})
    return 0


def run_export_opml(args) -> int:
    """Write the registry as OPML, each feed at the address it is fetched from now."""
    with db.connection() as conn, db.dict_cursor(conn) as cur:
        cur.execute("""SELECT COALESCE(fetch_url, url) AS url, name, tags, language, outlet, enabled
                       FROM feeds ORDER BY id""")
        document = opml.write_opml([dict(row) for row in cur.fetchall()])
    if args.output:
        try:
            Path(args.output).write_bytes(document)
        except OSError as exc:
            raise ConfigError(f"{args.output}: {exc.strerror or exc}") from None
    else:
        sys.stdout.buffer.write(document)
        sys.stdout.flush()
    return 0
