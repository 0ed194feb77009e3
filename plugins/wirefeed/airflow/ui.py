"""The Feeds and Stories pages served inside the Airflow UI (a FastAPI app behind Airflow's own auth)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from wirefeed import config, db
from wirefeed.db import dict_cursor

_templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(["html"]))
STORIES_SHOWN = 30


def ui_database_url() -> str:
    """The warehouse as the api-server sees it: the env var connection, else the Airflow connection."""
    url = config.database_url()
    if url:
        return url
    # The api-server is not a task: the core model reads connections from secrets and the metadata DB.
    from airflow.models.connection import Connection

    return Connection.get_connection_from_secrets(config.CONN_ID).get_uri()


def _has_stories(cur) -> bool:
    """Whether the story tables (dedupe's migration) exist in this warehouse (a dict cursor)."""
    cur.execute("SELECT to_regclass('public.story_items') IS NOT NULL AS present")
    return cur.fetchone()["present"]


def feed_rows(conn) -> list[dict]:
    """Every feed's state with its last week's volume, duplicate share and top agencies; failing feeds first."""
    with dict_cursor(conn) as cur:
        stories = _has_stories(cur)
        dup = "count(*) FILTER (WHERE si.match <> 'first')" if stories else "NULL::bigint"
        join = "LEFT JOIN story_items si ON si.item_id = i.id" if stories else ""
        cur.execute(f"""
            WITH recent AS (
                SELECT i.feed_id, count(*) AS items, {dup} AS duplicates
                FROM items i {join} WHERE i.first_seen_at >= now() - interval '7 days' GROUP BY i.feed_id),
            agency AS (
                SELECT i.feed_id, a AS agency, count(*) AS n,
                       row_number() OVER (PARTITION BY i.feed_id ORDER BY count(*) DESC, a) AS rank
                FROM items i, unnest(i.agencies) a WHERE i.first_seen_at >= now() - interval '30 days'
                GROUP BY i.feed_id, a)
            SELECT f.id, f.name, COALESCE(f.fetch_url, f.url) AS url, f.outlet, f.enabled, f.disabled_reason,
                   f.last_fetch_at, f.last_status, f.error_count, f.last_error, f.next_fetch_at,
                   round(COALESCE(r.items, 0) / 7.0, 1) AS items_per_day,
                   r.duplicates::float / NULLIF(r.items, 0) AS duplicate_share,
                   ARRAY(SELECT agency FROM agency a WHERE a.feed_id = f.id AND a.rank <= 3 ORDER BY a.rank)
                       AS top_agencies
            FROM feeds f LEFT JOIN recent r ON r.feed_id = f.id
            ORDER BY f.enabled DESC, f.error_count > 0 DESC, f.name""")
        rows = cur.fetchall()
    conn.commit()
    for row in rows:
        row["status"] = _status(row)
    return rows


def _status(feed: dict) -> str:
    """One word for a feed's state."""
    if not feed["enabled"]:
        return "disabled"
    if feed["error_count"]:
        return "failing"
    if feed["last_fetch_at"] is None:
        return "new"
    return "ok"


def story_rows(conn, day: date) -> list[dict] | None:
    """The day's largest stories (by copies) with each outlet's copy; None when there are no story tables."""
    start = datetime.combine(day, time(), tzinfo=timezone.utc)
    with dict_cursor(conn) as cur:
        if not _has_stories(cur):
            conn.commit()
            return None
        cur.execute("""
            SELECT s.id, s.title, s.agencies, s.dateline ->> 'place' AS place, s.item_count, s.outlets,
                   COALESCE(s.first_published_at, s.first_seen_at) AS first_at
            FROM stories s
            WHERE COALESCE(s.first_published_at, s.first_seen_at) >= %s
              AND COALESCE(s.first_published_at, s.first_seen_at) < %s
            ORDER BY s.item_count DESC, first_at, s.id LIMIT %s""", (start, start + timedelta(days=1), STORIES_SHOWN))
        stories = cur.fetchall()
        cur.execute("""
            SELECT si.story_id, COALESCE(feeds.outlet, feeds.name) AS outlet, i.title, COALESCE(i.link, i.url) AS link,
                   i.published_at, si.match
            FROM story_items si JOIN items i ON i.id = si.item_id JOIN feeds ON feeds.id = i.feed_id
            WHERE si.story_id = ANY(%s) ORDER BY i.published_at NULLS LAST, i.id""", ([s["id"] for s in stories],))
        copies = cur.fetchall()
    conn.commit()
    by_story = {s["id"]: s | {"copies": []} for s in stories}
    for copy in copies:
        by_story[copy["story_id"]]["copies"].append(copy)
    return list(by_story.values())


def _render(name: str, **context) -> HTMLResponse:
    """A page from the templates folder."""
    return HTMLResponse(_templates.get_template(name).render(**context))


def create_app(database_url=ui_database_url) -> FastAPI:
    """The plugin's app; every route needs a signed-in Airflow user allowed to read DAGs."""
    from airflow.api_fastapi.core_api.security import requires_access_dag

    # Mounted into the api-server, a plugin app is open unless it asks for Airflow's auth itself.
    app = FastAPI(title="wirefeed", dependencies=[Depends(requires_access_dag("GET"))], docs_url=None,
                  redoc_url=None, openapi_url=None)

    @app.get("/", response_class=HTMLResponse)
    @app.get("/feeds", response_class=HTMLResponse)
    def feeds_page():
        """Every feed: last fetch, status, errors, next fetch, volume, duplicate share, top agencies."""
        with db.connection(database_url()) as conn:
            rows = feed_rows(conn)
        return _render("feeds.html", feeds=rows, now=datetime.now(timezone.utc), page="feeds")

    @app.get("/stories", response_class=HTMLResponse)
    def stories_page(day: str | None = None):
        """A day's largest syndicated stories and the outlets that ran them (UTC; today by default)."""
        try:
            shown = date.fromisoformat(day) if day else datetime.now(timezone.utc).date()
        except ValueError:
            raise HTTPException(400, f"day must be YYYY-MM-DD, not {day!r}") from None
        with db.connection(database_url()) as conn:
            rows = story_rows(conn, shown)
        return _render("stories.html", stories=rows, day=shown, prev_day=shown - timedelta(days=1),
                       next_day=shown + timedelta(days=1), now=datetime.now(timezone.utc), page="stories")

    return app
