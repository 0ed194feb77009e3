"""A requests Session that dials only guard-checked addresses and cuts any request at a total deadline."""
from __future__ import annotations

import ipaddress
import socket
import threading
import time
from http.cookiejar import DefaultCookiePolicy

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import create_connection

from wirefeed import config
from wirefeed.netguard import BlockedAddress, Guard, refusal

_local = threading.local()


class Deadline:
    """A wall-clock limit on one whole request (redirects, headers and body): when it passes, its sockets are shut.

    Per-read socket timeouts cannot stop a server that trickles a byte a second, so a timer
    shuts the sockets down, which wakes whatever read is blocked on them.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expires_at = time.monotonic() + seconds
        self.expired = False
        self._watched: list = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        _local.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        _local.deadline = None

    def remaining(self) -> float:
        """Seconds left before the deadline (never negative)."""
        return max(0.0, self.expires_at - time.monotonic())

    def watch(self, target) -> None:
        """Shut this socket (or connection's socket) down when the deadline passes."""
        with self._lock:
            if self.expired:
                _shutdown(target)
            else:
                self._watched.append(target)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            watched, self._watched = self._watched, []
        for target in watched:
            _shutdown(target)


def current_deadline() -> Deadline | None:
    """The deadline of the request running on this thread, if any."""
    return getattr(_local, "deadline", None)


def _shutdown(target) -> None:
    """Shut a socket down at the OS level so a blocked read in another thread returns at once."""
    sock = target if isinstance(target, socket.socket) else getattr(target, "sock", None)
    if sock is None:
        return
    try:
        # The base method on purpose: SSLSocket.shutdown would tear down TLS state under a reader.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class _GuardedConnectionMixin:
    """Resolves once through the guard and connects to exactly an address the guard approved."""

    guard: Guard
    remote_addr: str | None = None

    def _budget(self, deadline: Deadline | None) -> float | None:
        """Seconds allowed for the next resolve or connect: the connect timeout, cut to what the deadline leaves."""
        timeout = self.timeout if isinstance(self.timeout, (int, float)) else None
        if deadline is None:
            return timeout
        return min(timeout or deadline.remaining(), deadline.remaining())

    def _new_conn(self) -> socket.socket:
        """Resolve through the guard and connect to one of exactly the approved addresses."""
        deadline = current_deadline()
        try:
            addresses = self.guard.addresses(self.host, self.port, timeout=self._budget(deadline))
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        error: Exception | None = None
        for address in addresses:
            timeout = self._budget(deadline)
            if timeout is not None and timeout <= 0:
                break
            try:
                sock = create_connection((address, self.port), timeout, source_address=self.source_address,
                                         socket_options=self.socket_options)
            except socket.timeout:
                error = ConnectTimeoutError(self, f"connection to {self.host} ({address}) timed out after {timeout:g} s")
            except OSError as exc:
                error = NewConnectionError(self, f"cannot connect to {self.host} ({address}): {exc.strerror or exc}")
            else:
                if deadline is not None:
                    deadline.watch(sock)
                self.remote_addr = self._verified_peer(sock, address)
                return sock
        raise error or ConnectTimeoutError(self, f"no time left to connect to {self.host}")

    def _verified_peer(self, sock: socket.socket, address: str) -> str:
        """The peer the kernel reports, checked once more (belt and braces: it must be the approved address)."""
        try:
            peer = sock.getpeername()[0]
        except OSError:
            peer = address
        reason = refusal(ipaddress.ip_address(peer.split("%", 1)[0]), self.guard.allow_private)
        if reason:
            sock.close()
            raise BlockedAddress(f"refused {self.host}: connected to {peer}, which is {reason}")
        return peer

    def request(self, *args, **kwargs):
        """Send a request on this connection, under the current deadline's watch (new or reused socket)."""
        deadline = current_deadline()
        if deadline is not None:
            deadline.watch(self)
        return super().request(*args, **kwargs)


class GuardedAdapter(HTTPAdapter):
    """An HTTPAdapter whose connection pools use guarded connections."""

    def __init__(self, guard: Guard, **kwargs):
        self.guard = guard
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs) -> None:
        """Build the pool manager, then swap in pool classes bound to this adapter's guard."""
        super().init_poolmanager(*args, **kwargs)
        bound = {"guard": self.guard}
        http_conn = type("GuardedHTTPConnection", (_GuardedConnectionMixin, HTTPConnection), bound)
        https_conn = type("GuardedHTTPSConnection", (_GuardedConnectionMixin, HTTPSConnection), bound)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("GuardedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("GuardedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }


def guarded_session(guard: Guard) -> requests.Session:
    """A Session for feed fetching: guarded connections, no proxies, wirefeed's User-Agent."""
    session = requests.Session()
    # Proxies from the environment would dial addresses the guard never saw.
    session.trust_env = False
    # Feeds need no cookies, and a jar shared by thousands of feeds is memory any server could fill.
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    adapter = GuardedAdapter(guard)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.clear()
    session.headers.update({
        "User-Agent": config.USER_AGENT,
        "Accept": "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
                  "text/xml;q=0.9, */*;q=0.5",
        "Accept-Encoding": "gzip, deflate, br",
    })
    return session
