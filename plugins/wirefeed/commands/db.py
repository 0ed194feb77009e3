"""`wirefeed db migrate`: apply pending SQL migrations."""
from __future__ import annotations

from wirefeed import db
from wirefeed.cli import print_json


def register(sub) -> None:
    """Add the `db` command group."""
    parser = sub.add_parser("db", help="database maintenance")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    migrate = actions.add_parser("migrate", help="apply pending migrations (a re-run is a no-op)")
    migrate.add_argument("--database-url", help="defaults to WIREFEED_DATABASE_URL, else embedded PostgreSQL")
    migrate.set_defaults(handler=run_migrate)


def run_migrate(args) -> int:
    """Apply migrations and report which ran."""
    with db.connection(args.database_url) as conn:
        applied = db.migrate(conn)
    print_json({"applied": applied, "pending_left": 0})
    return 0
