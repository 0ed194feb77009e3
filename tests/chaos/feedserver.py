"""Loopback feed servers for the chaos tests: generated RSS feeds, failures on demand, per-host concurrency recorded."""
from __future__ import annotations

import http.server
import random
import select
import socket
import threading
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "de", "pa", "gu", "re", "ho", "zi", "an", "el"]
_WORDS = sorted({"".join(random.Random(n).choices(_SYLLABLES, k=1 + n % 3)) for n in range(4000)})
_EPOCH = datetime(2026, 11, 1, tzinfo=timezone.utc)


def item_text(feed: int, n: int, words: int = 90) -> str:
    """A wire-story-like body unique to (feed, item), the same on every call."""
    rng = random.Random(feed * 100_003 + n)
    sentences = []
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(" ".join(rng.choices(_WORDS, k=rng.randint(8, 16))).capitalize() + ".")
    return f"NEW DELHI, Nov {1 + n % 27} (ANI): " + " ".join(sentences)


def rss(feed: int, items: int, *, extra: dict[int, str] | None = None, build: str = "") -> bytes:
    """An RSS 2.0 feed of `items` generated entries; `extra` replaces entry n's XML (to plant a bad one)."""
    entries = []
    for n in range(items):
        if extra and n in extra:
            entries.append(extra[n])
            continue
        published = format_datetime(_EPOCH + timedelta(minutes=feed % 997 + n))
        entries.append(f"<item><guid isPermaLink=\"false\">wf-{feed}-{n}</guid>"
                       f"<title>Story {n} of feed {feed}</title>"
                       f"<link>http://example.org/f{feed}/{n}</link><pubDate>{published}</pubDate>"
                       f"<description>{escape(item_text(feed, n))}</description></item>")
    return (f"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
            f"<title>Feed {feed}</title><link>http://example.org/f{feed}</link>"
            f"<description>generated{build}</description>{''.join(entries)}</channel></rss>").encode()


class HostStats:
    """Requests one host saw: how many at once (now and at most) and when each started."""

    def __init__(self):
        self.lock = threading.Lock()
        self.active: dict[int, str] = {}  # request number -> path, while it is served
        self.max_active = 0
        self.at_max: list[str] = []  # the paths being served when the maximum was reached (evidence)
        self.requests = 0

    def enter(self, path: str) -> int:
        with self.lock:
            self.requests += 1
            self.active[self.requests] = path
            if len(self.active) > self.max_active:
                self.max_active, self.at_max = len(self.active), sorted(self.active.values())
            return self.requests

    def leave(self, number: int) -> None:
        with self.lock:
            del self.active[number]


class FeedServer:
    """One ThreadingHTTPServer on a loopback address. Paths: /feed/N.xml?items=K, /fail/N.xml (HTTP 500),
    /slow/N.xml (answers after `slow_s`), or a fixed body registered with `route`."""

    def __init__(self, address: str = "127.0.0.1", *, slow_s: float = 3.0, items: int = 100):
        self.address, self.slow_s, self.items = address, slow_s, items
        self.stats = HostStats()
        self.routes: dict[str, bytes | callable] = {}
        self._stop = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - the stdlib's name
                number = outer.stats.enter(self.path)
                served = False
                try:
                    status, body = outer._answer(self.path, self.connection)
                    if status is None:
                        return  # the client hung up while we stalled
                    self.send_response(status)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    # The request ends before its last byte goes out: once the client has the whole body it may
                    # start its next request, which must not find this one still counted (on a busy machine this
                    # thread could otherwise be descheduled between the write and leave(): a false third request).
                    self.wfile.write(body[:-1])
                    outer.stats.leave(number)
                    served = True
                    self.wfile.write(body[-1:])
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its deadline): that is the point of /slow/
                finally:
                    if not served:
                        outer.stats.leave(number)

            def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
                pass

        self.httpd = http.server.ThreadingHTTPServer((address, 0), Handler)
        self.httpd.daemon_threads = True
        # A client that resets its connection (its deadline passed) is expected here, not worth a traceback.
        self.httpd.handle_error = lambda request, client_address: None
        self.base = f"http://{address}:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def route(self, path: str, body) -> str:
        """Serve `body` (bytes, or a callable returning bytes per request) at `path`; return its URL."""
        self.routes[path] = body
        return self.base + path

    def _answer(self, path: str, sock) -> tuple[int | None, bytes]:
        if path in self.routes:
            body = self.routes[path]
            return 200, body() if callable(body) else body
        kind, _, rest = path.lstrip("/").partition("/")
        feed = int(rest.split(".")[0])
        if kind == "fail":
            return 500, b"internal error"
        if kind == "slow" and _hung_up(sock, self.slow_s, self._stop):
            return None, b""
        return 200, rss(feed, self.items)

    def close(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _hung_up(sock, seconds: float, stop: threading.Event) -> bool:
    """Stall up to `seconds`; True as soon as the client closes its end (a request it no longer holds open
    must not count as a concurrent one)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and not stop.is_set():
        readable, _, _ = select.select([sock], [], [], 0.002)
        try:
            if readable and sock.recv(1, socket.MSG_PEEK) == b"":
                return True
        except OSError:
            return True
    return False


def wait_for(predicate, timeout: float = 60.0, every: float = 0.005) -> bool:
    """Poll `predicate` until it is true (True) or the timeout passes (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(every)
    return False
