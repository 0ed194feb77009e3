"""`wirefeed feeds ...`: the feed registry."""
from __future__ import annotations

from wirefeed import config, db, pipeline
from wirefeed.cli import print_json


def register(sub) -> None:
    """Add the `feeds` command group."""
    parser = sub.add_parser("feeds", help="the feed registry")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    sync = actions.add_parser("sync", help="upsert feeds.yaml into the database")
    sync.add_argument("--file", help=f"registry file (default {config.feeds_file()})")
    sync.set_defaults(handler=run_sync)
    listing = actions.add_parser("list", help="every feed with its fetch state, one JSON object a line")
    listing.set_defaults(handler=run_list)


def run_sync(args) -> int:
    """Sync the registry file into `feeds`."""
    with db.connection() as conn:
        db.migrate(conn)
        count = pipeline.sync_registry(conn, args.file)
    print_json({"feeds": count})
    return 0


def run_list(args) -> int:
    """Print each feed and its state."""
    with db.connection() as conn, db.dict_cursor(conn) as cur:
        cur.execute("""SELECT id, name, url, outlet, enabled, disabled_reason, last_fetch_at, last_status,
                              error_count, last_error, next_fetch_at FROM feeds ORDER BY id""")
        for row in cur.fetchall():
            print_json(dict(row))
    return 0
