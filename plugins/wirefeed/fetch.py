"""HTTP fetching of one feed: conditional GET, SSRF guard, size cap after decompression, total deadline,
manual redirects. Never raises for a bad feed: every outcome is a Fetch."""
from __future__ import annotations

import http.client
import socket
import time
import zlib
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from urllib.parse import urljoin

import brotli
import requests
import urllib3

from wirefeed import config
from wirefeed.errors import ConfigError
from wirefeed.httpclient import Deadline, guarded_session
from wirefeed.identity import sha256_hex
from wirefeed.models import Fetch
from wirefeed.netguard import BlockedAddress, Guard, Resolver, system_resolver

KEPT_HEADERS = ("content-type", "content-encoding", "content-length", "etag", "last-modified", "retry-after",
                "location", "cache-control", "expires", "date", "age")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """What one fetch may cost: bytes after decompression, total seconds, connect seconds, redirect hops."""

    max_bytes: int = config.MAX_BODY_BYTES
    deadline_s: float = config.DEADLINE_S
    connect_timeout_s: float = config.CONNECT_TIMEOUT_S
    max_redirects: int = config.MAX_REDIRECTS

    @classmethod
    def from_settings(cls, settings: dict | None = None) -> Limits:
        """Per-feed settings (feeds.yaml keys) over the global defaults; a bad value raises ConfigError."""
        merged = {**config.fetch_defaults(), **{k: v for k, v in (settings or {}).items() if v is not None}}
        try:
            limits = cls(max_bytes=int(merged["max_bytes"]), deadline_s=_seconds(merged["timeout"]),
                         connect_timeout_s=_seconds(merged["connect_timeout"]),
                         max_redirects=int(merged["max_redirects"]))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"bad fetch setting: {exc}") from None
        if limits.max_bytes <= 0 or limits.deadline_s <= 0 or limits.connect_timeout_s <= 0 or limits.max_redirects < 0:
            raise ConfigError(f"fetch settings must be positive: {merged}")
        return limits


def _seconds(value) -> float:
    """Seconds from 30, 2.5 or "30s" (feeds.yaml spells durations either way)."""
    text = str(value).strip().lower()
    return float(text[:-1] if text.endswith("s") else text)


class _Refused(Exception):
    """A fetch stopped on purpose (too large, redirect loop...), with its error kind."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class Fetcher:
    """Fetches feeds over one guarded connection pool; reuse one instance, connection reuse is most of the speed."""

    def __init__(self, *, allow_private: bool | None = None, resolver: Resolver | None = None):
        self.guard = Guard(allow_private=config.allow_private() if allow_private is None else allow_private,
                           resolver=resolver or system_resolver)
        self.session = guarded_session(self.guard)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
              limits: Limits | None = None) -> Fetch:
        """GET one feed URL within the limits; the outcome (body, 304 or error) is always a Fetch."""
        limits = limits or Limits.from_settings()
        started = time.monotonic()
        fetched_at = datetime.now(timezone.utc)
        state = _Hops(url)
        deadline = Deadline(limits.deadline_s)
        try:
            with deadline:
                result = self._follow(url, state, deadline, limits, etag, last_modified)
            if deadline.expired:
                raise _Refused("timeout", _deadline_message(limits))
        except Exception as exc:  # noqa: BLE001 - a hostile server must never crash a batch: every failure is data
            kind, message = _classify(exc, deadline, limits)
            result = Fetch(url=url, final_url=state.current, error=message, error_kind=kind,
                           status=state.status, headers=state.headers)
        return _complete(result, url=url, fetched_at=fetched_at, started=started, hops=state)

    def _follow(self, url, state, deadline, limits, etag, last_modified) -> Fetch:
        """Follow redirects by hand so the guard sees every hop; return the final hop's Fetch."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = {url}
        for _hop in range(limits.max_redirects + 1):
            self.guard.check_url(state.current)
            read_timeout = max(0.001, deadline.remaining())
            resp = self.session.get(state.current, headers=headers, allow_redirects=False, stream=True,
                                    timeout=(min(limits.connect_timeout_s, read_timeout), read_timeout))
            with resp:
                state.status = resp.status_code
                state.headers = {k.lower(): v for k, v in resp.headers.items() if k.lower() in KEPT_HEADERS}
                state.remote_addr = getattr(resp.raw.connection, "remote_addr", None) or state.remote_addr
                location = resp.headers.get("Location")
                if resp.status_code not in REDIRECT_STATUSES or not location:
                    return _final(resp, state, limits, deadline)
                target = urljoin(state.current, location.strip())
                state.redirects.append((resp.status_code, target))
                if target in seen:
                    raise _Refused("redirect", "redirect loop: " + " -> ".join([url] + [t for _, t in state.redirects]))
                seen.add(target)
                state.current = target
        raise _Refused("redirect", f"more than {limits.max_redirects} redirects (last to {state.current})")


def fetch(url: str, *, etag: str | None = None, last_modified: str | None = None, limits: Limits | None = None,
          allow_private: bool | None = None, resolver: Resolver | None = None) -> Fetch:
    """GET one feed URL with a one-off Fetcher; never raises for a bad feed."""
    with Fetcher(allow_private=allow_private, resolver=resolver) as fetcher:
        return fetcher.fetch(url, etag=etag, last_modified=last_modified, limits=limits)


class _Hops:
    """Where a fetch has got to, kept so that a failure still records how far it went."""

    def __init__(self, url: str):
        self.current = url
        self.status: int | None = None
        self.headers: dict = {}
        self.redirects: list[tuple[int, str]] = []
        self.remote_addr: str | None = None


def _final(resp: requests.Response, state: _Hops, limits: Limits, deadline: Deadline) -> Fetch:
    """The Fetch of the last hop: 304, HTTP error, or a body read within the cap."""
    common = dict(url=state.current, status=resp.status_code, final_url=state.current, headers=state.headers,
                  content_type=resp.headers.get("Content-Type"), etag=resp.headers.get("ETag"),
                  last_modified=resp.headers.get("Last-Modified"))
    if resp.status_code == 304:
        _release(resp)
        return Fetch(**common, not_modified=True)
    if not 200 <= resp.status_code < 300:
        # The standard phrase, not the server's: that one is free text of any length.
        reason = http.client.responses.get(resp.status_code, "")
        return Fetch(**common, error=f"HTTP {resp.status_code} {reason}".strip(), error_kind="http")
    body, wire = _read_body(resp, limits, deadline)
    _release(resp)
    return Fetch(**common, body=body, content_hash=sha256_hex(body), wire_bytes=wire)


def _read_body(resp: requests.Response, limits: Limits, deadline: Deadline) -> tuple[bytes, int]:
    """Read and decode the body, stopping as soon as it passes the cap (before or after decompression)."""
    declared = resp.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise _Refused("too_large", f"body of {declared} bytes exceeds the {limits.max_bytes}-byte cap")
    decoder = Decoder(resp.headers.get("Content-Encoding"), limits.max_bytes)
    body = bytearray()
    wire = 0
    for chunk in resp.raw.stream(CHUNK, decode_content=False):
        wire += len(chunk)
        if wire > limits.max_bytes:
            raise _Refused("too_large", f"body exceeds the {limits.max_bytes}-byte cap")
        body += decoder.feed(chunk)
        if deadline.expired:
            break
    body += decoder.flush()
    return bytes(body), wire


def _release(resp: requests.Response) -> None:
    """Hand a fully read connection back to the pool (closing the response would drop it)."""
    resp.raw.read()
    resp.raw.release_conn()


class Decoder:
    """Undoes Content-Encoding (gzip, deflate, br, stacked) without ever producing more than `limit` bytes."""

    def __init__(self, header: str | None, limit: int):
        codings = [c.strip().lower() for c in (header or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        unknown = [c for c in codings if c not in _CODECS]
        if unknown:
            raise _Refused("protocol", f"unsupported Content-Encoding {_printable(', '.join(unknown), 80)}")
        # Codings are listed in the order applied, so they are undone last first.
        self.stages = [_CODECS[c]() for c in reversed(codings)]
        self.limit = limit
        self.produced = 0
        self.name = "+".join(codings) or "identity"

    def feed(self, data: bytes) -> bytes:
        """Decode one chunk of the wire body."""
        try:
            for stage in self.stages:
                if not data:
                    break
                data = stage.feed(data, self.limit - self.produced)
        except _TooLarge:
            self._too_large()
        return self._count(data)

    def flush(self) -> bytes:
        """Decode whatever the stages still hold."""
        data = b""
        try:
            for stage in self.stages:
                room = self.limit - self.produced
                data = (stage.feed(data, room) if data else b"") + stage.flush(room)
        except _TooLarge:
            self._too_large()
        return self._count(data)

    def _count(self, data: bytes) -> bytes:
        self.produced += len(data)
        if self.produced > self.limit:
            self._too_large()
        return data

    def _too_large(self):
        raise _Refused("too_large", f"body exceeds the {self.limit}-byte cap after decompression ({self.name})")


class _TooLarge(Exception):
    """A decoding stage reached the cap."""


class _ZlibStage:
    """gzip (possibly multi-member) or deflate (zlib-wrapped or raw, as servers disagree) with bounded output."""

    def __init__(self, wbits: int):
        self.wbits = wbits
        self.inner = zlib.decompressobj(wbits)
        self.started = False

    def feed(self, data: bytes, room: int) -> bytes:
        """Decompress a chunk, refusing to produce more than `room` bytes."""
        out = bytearray()
        while data:
            try:
                piece = self.inner.decompress(data, max(room - len(out), 0) + 1)
            except zlib.error:
                if self.wbits == zlib.MAX_WBITS and not self.started:
                    # "deflate" sent as raw deflate without the zlib header: retry that way once.
                    self.wbits, self.inner = -zlib.MAX_WBITS, zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise _Refused("protocol", "corrupt compressed body") from None
            if piece or len(data) >= 2:  # past the two header bytes that tell zlib from raw deflate
                self.started = True
            out += piece
            if len(out) > room:  # decompression was stopped one byte past the cap: a bomb, or just too big
                raise _TooLarge
            data = b""
            if self.inner.eof and self.inner.unused_data:
                rest = self.inner.unused_data
                if self.wbits > 16 and rest[:2] == b"\x1f\x8b":  # another gzip member follows
                    self.inner = zlib.decompressobj(self.wbits)
                    data = rest
        return bytes(out)

    def flush(self, room: int) -> bytes:
        """Whatever zlib still holds at the end of the body."""
        out = self.inner.flush()
        if len(out) > room:
            raise _TooLarge
        return out


class _BrotliStage:
    """Brotli with bounded output (brotli>=1.2's output_buffer_limit)."""

    def __init__(self):
        self.inner = brotli.Decompressor()

    def feed(self, data: bytes, room: int) -> bytes:
        """Decompress a chunk, refusing to produce more than `room` bytes."""
        try:
            out = self.inner.process(data, output_buffer_limit=max(room, 0) + 1)
        except brotli.error:
            raise _Refused("protocol", "corrupt brotli body") from None
        if len(out) > room or not self.inner.can_accept_more_data():
            raise _TooLarge
        return out

    def flush(self, room: int) -> bytes:
        """Nothing: brotli emits all output as it goes."""
        return b""


_CODECS = {
    "gzip": lambda: _ZlibStage(16 + zlib.MAX_WBITS),
    "x-gzip": lambda: _ZlibStage(16 + zlib.MAX_WBITS),
    "deflate": lambda: _ZlibStage(zlib.MAX_WBITS),
    "br": _BrotliStage,
}


def _deadline_message(limits: Limits) -> str:
    return f"deadline of {limits.deadline_s:g} s exceeded (server too slow)"


def _classify(exc: Exception, deadline: Deadline, limits: Limits) -> tuple[str, str]:
    """(error kind, one clear line) for any exception a fetch can meet."""
    if isinstance(exc, _Refused):
        return exc.kind, str(exc)
    if isinstance(exc, BlockedAddress):
        return "blocked", str(exc)
    if deadline.expired:
        return "timeout", _deadline_message(limits)
    chain = _causes(exc)
    if any(isinstance(e, BlockedAddress) for e in chain):
        return "blocked", str(next(e for e in chain if isinstance(e, BlockedAddress)))
    if any(isinstance(e, urllib3.exceptions.NameResolutionError) for e in chain):
        host = next(e for e in chain if isinstance(e, urllib3.exceptions.NameResolutionError)).conn.host
        lookup = next((e for e in chain if isinstance(e, socket.gaierror)), None)
        why = lookup.strerror or (lookup.args[-1] if lookup.args else "") if lookup else ""
        return "dns", f"cannot resolve host {host}" + (f" ({why})" if why else "")
    if isinstance(exc, requests.exceptions.SSLError):
        return "tls", f"TLS error: {_innermost(chain)}"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "timeout", f"connect timeout after {limits.connect_timeout_s:g} s"
    if isinstance(exc, (requests.exceptions.ReadTimeout, TimeoutError)):
        return "timeout", f"read timed out: {_innermost(chain)}"
    if any(isinstance(e, urllib3.exceptions.NewConnectionError) for e in chain):
        return "connect", str(next(e for e in chain if isinstance(e, urllib3.exceptions.NewConnectionError))).split(": ", 1)[-1]
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                        requests.exceptions.InvalidSchema, urllib3.exceptions.LocationParseError, ValueError)):
        return "invalid_url", f"invalid URL: {_innermost(chain)}"
    if isinstance(exc, (requests.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException, OSError)):
        return "protocol", f"broken HTTP response: {_innermost(chain)}"
    return "error", f"unexpected {exc.__class__.__name__}: {exc}"


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception, what it wraps (urllib3's reason/args) and what caused it, outermost first."""
    chain, todo = [], [exc]
    while todo and len(chain) < 20:
        current = todo.pop(0)
        if current in chain:
            continue
        chain.append(current)
        wrapped = [getattr(current, "reason", None), current.__cause__, current.__context__,
                   *getattr(current, "args", ())]
        todo += [e for e in wrapped if isinstance(e, BaseException)]
    return chain


def _innermost(chain: list[BaseException]) -> str:
    """The most specific message in a chain of wrapped exceptions."""
    for exc in reversed(chain):
        text = _printable(str(exc).strip().split("\n", 1)[0])
        if text.strip("? "):
            return text
    return chain[0].__class__.__name__


def _printable(text: str, limit: int = 300) -> str:
    """Server-chosen text made safe for a one-line error: printable characters only, bounded length."""
    return "".join(ch if ch.isprintable() else "?" for ch in text[:limit])


def _complete(result: Fetch, *, url: str, fetched_at: datetime, started: float, hops: _Hops) -> Fetch:
    """Stamp the fields every outcome carries: original URL, time, duration, redirects, remote address."""
    return replace(result, url=url, fetched_at=fetched_at, elapsed_ms=int((time.monotonic() - started) * 1000),
                   redirects=tuple(hops.redirects), remote_addr=hops.remote_addr)
