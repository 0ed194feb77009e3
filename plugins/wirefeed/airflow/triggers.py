"""Event triggers: wake the process DAG when PostgreSQL NOTIFYs that raw fetches landed."""
from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, AsyncIterator

import psycopg2
from psycopg2 import sql
from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from wirefeed import config

log = logging.getLogger(__name__)

CHANNEL = "wirefeed_fetches"  # migration 0005 NOTIFYs it when fetches with a body land


class FetchesLandedTrigger(BaseEventTrigger):
    """LISTEN on a channel; yield one event per burst of notifications, then wait for the next.

    Edge-triggered on purpose: it fires on a NOTIFY and on nothing else, so it cannot re-fire forever
    on a condition that stays true. A burst (every mapped fetch task commits its own landings) is
    coalesced: the event goes out after `settle_s` of quiet, or after `max_wait_s` at the latest.
    """

    def __init__(self, channel: str = CHANNEL, conn_id: str = config.CONN_ID, settle_s: float = 2.0,
                 max_wait_s: float = 30.0, reconnect_s: float = 5.0):
        super().__init__()
        self.channel = channel
        self.conn_id = conn_id
        self.settle_s = settle_s
        self.max_wait_s = max_wait_s
        self.reconnect_s = reconnect_s

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Class path and kwargs (no credentials: the URL is looked up where the trigger runs)."""
        return (f"{type(self).__module__}.{type(self).__qualname__}",
                {"channel": self.channel, "conn_id": self.conn_id, "settle_s": self.settle_s,
                 "max_wait_s": self.max_wait_s, "reconnect_s": self.reconnect_s})

    async def _url(self) -> str:
        """The warehouse URL: WIREFEED_DATABASE_URL / AIRFLOW_CONN_* env, else the Airflow connection."""
        url = config.database_url()
        if url:
            return url
        from airflow.sdk import BaseHook

        return (await BaseHook.aget_connection(self.conn_id)).get_uri()

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Listen forever; a lost connection is re-opened, with one catch-up event if work is waiting."""
        first = True
        while True:
            try:
                conn = await asyncio.to_thread(self._listen, await self._url())
            except psycopg2.OperationalError as exc:
                log.warning("LISTEN %s: cannot connect (%s); retrying in %.0f s", self.channel, exc, self.reconnect_s)
                await asyncio.sleep(self.reconnect_s)
                continue
            try:
                # NOTIFYs sent while we were disconnected are lost: hand over what is waiting, once.
                if not first and (waiting := await asyncio.to_thread(self._unprocessed, conn)):
                    yield TriggerEvent({"channel": self.channel, "reconnected": True, "fetches": waiting})
                first = False
                async for event in self._events(conn):
                    yield event
            except psycopg2.OperationalError as exc:
                log.warning("LISTEN %s: connection lost (%s); reconnecting", self.channel, exc)
                await asyncio.sleep(self.reconnect_s)
            finally:
                conn.close()

    def _listen(self, url: str):
        """A fresh autocommit connection listening on the channel."""
        conn = psycopg2.connect(url, connect_timeout=10, application_name="wirefeed-trigger")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
        return conn

    @staticmethod
    def _unprocessed(conn) -> int:
        """How many landed fetches still wait to be processed."""
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM fetches WHERE processed_at IS NULL AND body IS NOT NULL")
            return cur.fetchone()[0]

    async def _events(self, conn) -> AsyncIterator[TriggerEvent]:
        """One event per burst of notifications on an open connection."""
        loop = asyncio.get_running_loop()
        readable = asyncio.Event()
        fd = conn.fileno()
        loop.add_reader(fd, readable.set)
        try:
            while True:
                notes: list[dict] = []
                deadline = None
                while True:
                    timeout = None if deadline is None else max(0.0, min(self.settle_s, deadline - time.monotonic()))
                    try:
                        await asyncio.wait_for(readable.wait(), timeout)
                    except TimeoutError:
                        break
                    readable.clear()
                    conn.poll()  # reads whatever arrived; raises OperationalError if the server went away
                    while conn.notifies:
                        notes.append(_payload(conn.notifies.pop(0).payload))
                    if notes and deadline is None:
                        deadline = time.monotonic() + self.max_wait_s
                    if deadline is not None and time.monotonic() >= deadline:
                        break
                last_ids = [n["last_id"] for n in notes if isinstance(n.get("last_id"), int)]
                yield TriggerEvent({"channel": self.channel, "notifications": len(notes),
                                    "fetches": sum(n.get("fetches", 0) for n in notes),
                                    "last_id": max(last_ids) if last_ids else None})
        finally:
            loop.remove_reader(fd)


def _payload(text: str) -> dict:
    """A notification's JSON payload; a hand-sent NOTIFY with plain text still counts as one."""
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
