"""`wirefeed report`: what the warehouse holds, as one JSON object."""
from __future__ import annotations

from wirefeed import db
from wirefeed.cli import print_json


def register(sub) -> None:
    """Add the `report` command."""
    parser = sub.add_parser("report", help="counts of feeds, fetches, items and failing feeds (JSON)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Print warehouse counts and the failing feeds."""
    with db.connection() as conn:
        db.migrate(conn)
        print_json(warehouse_report(conn))
    return 0


def warehouse_report(conn) -> dict:
    """Counts of what landed, and which feeds are failing and why."""
    with db.dict_cursor(conn) as cur:
        cur.execute("""SELECT (SELECT count(*) FROM feeds) AS feeds,
                              (SELECT count(*) FROM feeds WHERE NOT enabled) AS feeds_disabled,
                              (SELECT count(*) FROM fetches) AS fetches,
                              (SELECT count(*) FROM fetches WHERE error IS NOT NULL) AS fetch_errors,
                              (SELECT count(*) FROM items) AS items,
                              (SELECT count(*) FROM items WHERE cardinality(agencies) > 0) AS items_with_agency,
                              (SELECT count(*) FROM items WHERE syndicated) AS items_syndicated""")
        report = dict(cur.fetchone())
        cur.execute("""SELECT url, error_count, last_error, next_fetch_at FROM feeds
                       WHERE last_error IS NOT NULL ORDER BY error_count DESC, url LIMIT 50""")
        report["failing_feeds"] = [dict(r) for r in cur.fetchall()]
        cur.execute("SELECT to_regclass('stories') IS NOT NULL AS has_stories")
        if cur.fetchone()["has_stories"]:
            cur.execute("SELECT count(*) AS stories FROM stories")
            report.update(cur.fetchone())
    conn.commit()
    return report
