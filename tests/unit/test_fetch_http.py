"""fetch() against real local servers: statuses, conditional GET, limits, hostile servers, the SSRF guard."""
from __future__ import annotations

import gzip
import socket
import threading
import time
import tracemalloc
import zlib

import brotli
import pytest
from werkzeug import Response

from wirefeed.errors import ConfigError
from wirefeed.fetch import Fetcher, Limits, fetch

FEED = b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title><item><title>a</title></item></channel></rss>"
FAST = Limits(deadline_s=3, connect_timeout_s=2)
MIB = 1024 * 1024


class RawServer:
    """A TCP server on 127.0.0.1 handing each connection to `handler(sock)` on its own thread."""

    def __init__(self, handler):
        self.handler = handler
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self, path: str = "/feed") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(sock,), daemon=True).start()

    def _handle(self, sock) -> None:
        try:
            self.handler(sock)
        except OSError:
            pass  # the client hung up on us, which is what these tests expect it to do
        finally:
            sock.close()

    def close(self) -> None:
        self.listener.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_head(sock) -> bytes:
    """The request line and headers the client sent."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def chunked(sock, pieces) -> None:
    """Send an endless or finite body with chunked transfer encoding."""
    for piece in pieces:
        sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
    sock.sendall(b"0\r\n\r\n")


def bomb(codec: str, size: int = 256 * MIB) -> bytes:
    """`size` zero bytes compressed with codec, built without holding them in memory."""
    block = b"\0" * MIB
    if codec == "br":
        compressor = brotli.Compressor(quality=5)
        return b"".join(compressor.process(block) for _ in range(size // MIB)) + compressor.finish()
    wbits = 16 + zlib.MAX_WBITS if codec == "gzip" else zlib.MAX_WBITS
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return b"".join(compressor.compress(block) for _ in range(size // MIB)) + compressor.flush()


def bounded(fn, seconds: float, megabytes: int = 100):
    """Run fn, asserting it ends within `seconds` and allocates under `megabytes` at peak."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    elapsed = time.monotonic() - started
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert peak < megabytes * MIB, f"peaked at {peak / MIB:.0f} MiB"
    return result


def assert_failed(result, kind: str, *words: str) -> None:
    """A failure with a clear message and no body."""
    assert result.error_kind == kind, (result.error_kind, result.error)
    assert result.body is None and not result.ok
    for word in words:
        assert word in result.error, result.error


# --- ordinary fetching (local servers are loopback: allow_private=True) -------------------------------------


def test_ok_body_hash_and_landing_metadata(httpserver):
    httpserver.expect_request("/feed").respond_with_data(FEED, content_type="application/rss+xml",
                                                         headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"})
    result = fetch(httpserver.url_for("/feed"), allow_private=True)
    assert result.ok and result.status == 200 and result.body == FEED
    assert result.etag == '"v1"' and result.last_modified == "Wed, 01 Jan 2025 00:00:00 GMT"
    assert result.content_type == "application/rss+xml" and len(result.content_hash) == 64
    assert result.remote_addr in ("127.0.0.1", "::1") and result.wire_bytes == len(FEED)
    assert result.headers["etag"] == '"v1"' and result.elapsed_ms is not None and result.fetched_at


def test_user_agent_names_wirefeed_and_its_url(httpserver):
    seen = {}

    def handler(request):
        seen.update(request.headers)
        return Response(FEED)

    httpserver.expect_request("/feed").respond_with_handler(handler)
    fetch(httpserver.url_for("/feed"), allow_private=True)
    assert seen["User-Agent"].startswith("wirefeed/") and "https://" in seen["User-Agent"]
    assert "br" in seen["Accept-Encoding"] and "gzip" in seen["Accept-Encoding"]


def test_conditional_get_round_trip(httpserver):
    def handler(request):
        if request.headers.get("If-None-Match") == '"v1"' or request.headers.get("If-Modified-Since") == "LM1":
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(FEED, headers={"ETag": '"v1"', "Last-Modified": "LM1"})

    httpserver.expect_request("/feed").respond_with_handler(handler)
    with Fetcher(allow_private=True) as fetcher:
        first = fetcher.fetch(httpserver.url_for("/feed"))
        second = fetcher.fetch(httpserver.url_for("/feed"), etag=first.etag, last_modified=first.last_modified)
        only_date = fetcher.fetch(httpserver.url_for("/feed"), last_modified=first.last_modified)
    assert first.ok and first.body == FEED
    assert second.status == 304 and second.not_modified and second.body is None and second.error is None
    assert only_date.not_modified


@pytest.mark.parametrize("codec", ["gzip", "deflate", "br"])
def test_compressed_bodies_are_decoded(httpserver, codec):
    encoded = {"gzip": gzip.compress(FEED), "deflate": zlib.compress(FEED), "br": brotli.compress(FEED)}[codec]
    httpserver.expect_request("/feed").respond_with_data(encoded, headers={"Content-Encoding": codec})
    result = fetch(httpserver.url_for("/feed"), allow_private=True)
    assert result.ok and result.body == FEED and result.wire_bytes == len(encoded)


def test_raw_deflate_and_stacked_encodings(httpserver):
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    httpserver.expect_request("/raw").respond_with_data(raw.compress(FEED) + raw.flush(),
                                                        headers={"Content-Encoding": "deflate"})
    httpserver.expect_request("/stacked").respond_with_data(brotli.compress(gzip.compress(FEED)),
                                                            headers={"Content-Encoding": "gzip, br"})
    assert fetch(httpserver.url_for("/raw"), allow_private=True).body == FEED
    assert fetch(httpserver.url_for("/stacked"), allow_private=True).body == FEED


def test_unknown_encoding_and_corrupt_gzip_are_clear_errors(httpserver):
    httpserver.expect_request("/zstd").respond_with_data(b"xx", headers={"Content-Encoding": "zstd"})
    httpserver.expect_request("/corrupt").respond_with_data(b"\x1f\x8bnot gzip at all",
                                                            headers={"Content-Encoding": "gzip"})
    assert_failed(fetch(httpserver.url_for("/zstd"), allow_private=True), "protocol", "unsupported Content-Encoding zstd")
    assert_failed(fetch(httpserver.url_for("/corrupt"), allow_private=True), "protocol", "corrupt")


@pytest.mark.parametrize("status,reason", [(400, "Bad Request"), (401, "Unauthorized"), (403, "Forbidden"),
                                           (404, "Not Found"), (410, "Gone"), (429, "Too Many Requests"),
                                           (500, "Internal Server Error"), (502, "Bad Gateway"),
                                           (503, "Service Unavailable")])
def test_error_statuses_are_failures_with_status_and_headers(httpserver, status, reason):
    httpserver.expect_request("/feed").respond_with_data("no", status=status, headers={"Retry-After": "120"})
    result = fetch(httpserver.url_for("/feed"), allow_private=True)
    assert_failed(result, "http", f"HTTP {status} {reason}")
    assert result.status == status and result.headers["retry-after"] == "120"


def test_redirects_are_followed_and_recorded(httpserver):
    httpserver.expect_request("/a").respond_with_data("", status=301, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": httpserver.url_for("/c")})
    httpserver.expect_request("/c").respond_with_data(FEED)
    result = fetch(httpserver.url_for("/a"), allow_private=True)
    assert result.ok and result.body == FEED and result.url == httpserver.url_for("/a")
    assert result.final_url == httpserver.url_for("/c")
    assert result.redirects == ((301, httpserver.url_for("/b")), (302, httpserver.url_for("/c")))


def test_redirect_loop_is_cut(httpserver):
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    result = bounded(lambda: fetch(httpserver.url_for("/a"), allow_private=True), 5)
    assert_failed(result, "redirect", "redirect loop")
    assert len(result.redirects) == 2


def test_more_than_five_redirects_is_refused(httpserver):
    for n in range(10):
        httpserver.expect_request(f"/r{n}").respond_with_data("", status=307, headers={"Location": f"/r{n + 1}"})
    result = fetch(httpserver.url_for("/r0"), allow_private=True)
    assert_failed(result, "redirect", "more than 5 redirects")
    assert len(result.redirects) == 6
    assert fetch(httpserver.url_for("/r5"), allow_private=True, limits=Limits(max_redirects=3)).error_kind == "redirect"


def test_five_redirects_are_fine(httpserver):
    for n in range(5):
        httpserver.expect_request(f"/r{n}").respond_with_data("", status=308, headers={"Location": f"/r{n + 1}"})
    httpserver.expect_request("/r5").respond_with_data(FEED)
    assert fetch(httpserver.url_for("/r0"), allow_private=True).ok


# --- size caps ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["gzip", "deflate", "br"])
def test_decompression_bombs_stop_at_the_cap(codec):
    payload = bomb(codec)  # 256 MiB of zeros in a few hundred KiB (a few bytes for brotli)

    def serve(sock):
        read_head(sock)
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nContent-Length: %d\r\n\r\n"
                     % (codec.encode(), len(payload)) + payload)

    with RawServer(serve) as server:
        result = bounded(lambda: fetch(server.url(), allow_private=True), 10)
    assert_failed(result, "too_large", "10485760-byte cap after decompression", codec)


def test_oversize_chunked_body_is_cut_at_the_cap():
    sent = []

    def serve(sock):
        read_head(sock)
        sock.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in range(100_000):  # 6 GiB if nobody stopped reading
            sock.sendall(b"10000\r\n" + b"a" * 65536 + b"\r\n")
            sent.append(1)

    with RawServer(serve) as server:
        result = bounded(lambda: fetch(server.url(), allow_private=True), 10)
    assert_failed(result, "too_large", "10485760-byte cap")
    assert len(sent) < 1000


def test_declared_oversize_body_is_refused_before_reading(httpserver):
    httpserver.expect_request("/feed").respond_with_data(b"x" * 2048)
    assert_failed(fetch(httpserver.url_for("/feed"), allow_private=True, limits=Limits(max_bytes=1024)),
                  "too_large", "2048 bytes exceeds the 1024-byte cap")


# --- deadlines --------------------------------------------------------------------------------------------------


def test_one_byte_a_second_body_is_cut_at_the_deadline():
    def serve(sock):
        read_head(sock)
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        for _ in range(100_000):
            sock.sendall(b"x")
            time.sleep(1)

    with RawServer(serve) as server:
        result = bounded(lambda: fetch(server.url(), allow_private=True, limits=FAST), 6)
    assert_failed(result, "timeout", "deadline of 3 s exceeded")


def test_one_byte_a_second_headers_are_cut_at_the_deadline():
    def serve(sock):
        read_head(sock)
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"z" * 100_000:
            sock.sendall(bytes([byte]))
            time.sleep(1)

    with RawServer(serve) as server:
        result = bounded(lambda: fetch(server.url(), allow_private=True, limits=FAST), 6)
    assert_failed(result, "timeout", "deadline")


def test_silent_server_times_out():
    def serve(sock):
        read_head(sock)
        time.sleep(30)

    with RawServer(serve) as server:
        result = bounded(lambda: fetch(server.url(), allow_private=True, limits=FAST), 6)
    assert result.error_kind == "timeout"


def test_default_limits_are_the_documented_ones():
    limits = Limits.from_settings()
    assert (limits.max_bytes, limits.deadline_s, limits.connect_timeout_s, limits.max_redirects) == (
        10 * MIB, 30.0, 10.0, 5)
    per_feed = Limits.from_settings({"max_bytes": 1000, "timeout": "5s", "connect_timeout": 2.5, "max_redirects": 2})
    assert (per_feed.max_bytes, per_feed.deadline_s, per_feed.connect_timeout_s, per_feed.max_redirects) == (
        1000, 5.0, 2.5, 2)
    for bad in ({"timeout": "soon"}, {"max_bytes": -1}, {"max_redirects": "many"}, {"timeout": 0}):
        with pytest.raises(ConfigError):
            Limits.from_settings(bad)


def test_global_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("WIREFEED_FETCH_MAX_BYTES", "2048")
    monkeypatch.setenv("WIREFEED_FETCH_TIMEOUT", "7")
    limits = Limits.from_settings({"connect_timeout": 3})
    assert (limits.max_bytes, limits.deadline_s, limits.connect_timeout_s) == (2048, 7.0, 3.0)


# --- network failures ------------------------------------------------------------------------------------------


def test_connection_refused_is_a_connect_failure():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    assert_failed(fetch(f"http://127.0.0.1:{port}/feed", allow_private=True, limits=FAST), "connect", "refused")


def test_unresolvable_host_is_a_dns_failure():
    assert_failed(fetch("http://no-such-host.invalid/feed", limits=FAST), "dns", "cannot resolve host no-such-host.invalid")


def test_tls_failure_is_a_tls_error():
    def serve(sock):
        sock.recv(4096)  # the ClientHello, answered in plain HTTP
        sock.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

    with RawServer(serve) as server:
        result = fetch(f"https://127.0.0.1:{server.port}/feed", allow_private=True, limits=FAST)
    assert_failed(result, "tls", "TLS error")


def test_garbage_instead_of_http_is_a_protocol_error():
    def serve(sock):
        read_head(sock)
        sock.sendall(b"\x00\x01garbage\r\n\r\n")

    with RawServer(serve) as server:
        assert_failed(fetch(server.url(), allow_private=True, limits=FAST), "protocol", "broken HTTP response")


def test_connection_closed_mid_body_is_a_protocol_error():
    def serve(sock):
        read_head(sock)
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + b"x" * 100)

    with RawServer(serve) as server:
        assert_failed(fetch(server.url(), allow_private=True, limits=FAST), "protocol")


# --- the SSRF guard --------------------------------------------------------------------------------------------


def test_loopback_is_refused_by_default(httpserver):
    httpserver.expect_request("/feed").respond_with_data(FEED)
    result = fetch(httpserver.url_for("/feed").replace("localhost", "127.0.0.1"), allow_private=False)
    assert_failed(result, "blocked", "127.0.0.1 is loopback")
    assert len(httpserver.log) == 0


def test_localhost_name_is_refused_after_resolution(httpserver):
    httpserver.expect_request("/feed").respond_with_data(FEED)
    assert_failed(fetch(httpserver.url_for("/feed"), allow_private=False), "blocked", "loopback")
    assert len(httpserver.log) == 0


@pytest.mark.parametrize("target,allow_private,why", [
    ("http://127.0.0.1:9/latest", False, "127.0.0.1 is loopback"),
    ("http://169.254.169.254/latest/meta-data/", True, "169.254.169.254 is link-local"),
    ("http://[::ffff:127.0.0.1]:9/", False, "loopback (embedded IPv4 127.0.0.1)"),
    ("http://[::ffff:169.254.169.254]/", True, "link-local"),
    ("http://100.64.0.1/", True, "CGNAT"),
    ("http://2130706433:9/", False, "127.0.0.1 is loopback"),
    ("http://0x7f.1:9/", False, "127.0.0.1 is loopback"),
    ("http://2852039166/latest", True, "169.254.169.254 is link-local"),
    ("http://[fe80::1]/", True, "link-local"),
    ("http://0.0.0.0:9/", True, "unspecified"),
    ("file:///etc/passwd", True, "only http and https"),
    ("gopher://127.0.0.1:9/", True, "only http and https"),
])
def test_redirects_to_forbidden_targets_are_refused(target, allow_private, why):
    """Each redirect hop is checked again; the public first hop is played by a resolver naming a local server."""
    def serve(sock):
        read_head(sock)
        sock.sendall(b"HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n" % target.encode())

    with RawServer(serve) as server:
        # A public-looking name that resolves (through the injected resolver) to the local test server.
        def resolver(host, port):
            assert host == "feeds.example"
            return ["127.0.0.1"] if allow_private else ["93.184.216.34"]

        url = f"http://feeds.example:{server.port}/feed"
        if allow_private:
            result = bounded(lambda: fetch(url, allow_private=True, resolver=resolver, limits=FAST), 5)
        else:
            # With the guard fully on, the local server cannot be the first hop: start from the redirect itself.
            result = bounded(lambda: fetch(target, allow_private=False, resolver=resolver, limits=FAST), 5)
    assert_failed(result, "blocked", why)
    if allow_private:
        assert result.redirects == ((302, target),) and result.final_url == target


def test_dns_rebinding_the_address_checked_is_the_address_connected(httpserver):
    """The resolver answers loopback, then the metadata address: every connection uses the answer just checked."""
    httpserver.expect_request("/feed").respond_with_data(FEED)
    answers = iter([["127.0.0.1"], ["169.254.169.254"], ["127.0.0.1"]])
    calls = []

    def rebinding_resolver(host, port):
        calls.append(host)
        return next(answers)

    url = httpserver.url_for("/feed").replace("localhost", "rebind.test")
    first = fetch(url, allow_private=True, resolver=rebinding_resolver, limits=FAST)
    # rebind.test exists only in our resolver: a connection that re-resolved through the system would fail.
    assert first.ok and first.remote_addr == "127.0.0.1" and calls == ["rebind.test"]
    second = bounded(lambda: fetch(url, allow_private=True, resolver=rebinding_resolver, limits=FAST), 3)
    assert_failed(second, "blocked", "rebind.test: resolves to 169.254.169.254, which is link-local")
    assert calls == ["rebind.test", "rebind.test"]
    assert len(httpserver.log) == 1


def test_every_redirect_hop_resolves_and_checks_again(httpserver):
    """A redirect to another name is resolved on its own hop, and that answer is checked before dialling."""
    calls = []

    def resolver(host, port):
        calls.append(host)
        return {"first.test": ["127.0.0.1"], "second.test": ["169.254.169.254"]}[host]

    target = httpserver.url_for("/b").replace("localhost", "second.test")
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": target})
    result = fetch(httpserver.url_for("/a").replace("localhost", "first.test"), allow_private=True,
                   resolver=resolver, limits=FAST)
    assert_failed(result, "blocked", "second.test: resolves to 169.254.169.254, which is link-local")
    assert calls == ["first.test", "second.test"] and result.redirects == ((302, target),)
    assert len(httpserver.log) == 1


def test_environment_proxies_are_ignored(httpserver, monkeypatch):
    """A proxy would dial addresses the guard never saw, so HTTP(S)_PROXY must not apply."""
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    httpserver.expect_request("/feed").respond_with_data(FEED)
    assert fetch(httpserver.url_for("/feed"), allow_private=True).ok


def test_connections_are_reused_across_fetches():
    def serve(sock):
        while read_head(sock):
            sock.sendall(b"HTTP/1.1 304 Not Modified\r\nETag: \"v\"\r\n\r\n")

    with RawServer(serve) as server, Fetcher(allow_private=True) as fetcher:
        results = [fetcher.fetch(server.url(), etag='"v"') for _ in range(20)]
        assert all(r.not_modified for r in results)
        assert server.connections == 1


def test_a_resolver_that_never_answers_is_cut_by_the_deadline():
    """getaddrinfo cannot be interrupted, so the lookup is abandoned rather than waited for."""
    release = threading.Event()

    def stuck_resolver(host, port):
        release.wait(60)
        return ["127.0.0.1"]

    try:
        result = bounded(lambda: fetch("http://slow-dns.test/feed", allow_private=True, resolver=stuck_resolver,
                                       limits=Limits(deadline_s=2, connect_timeout_s=1.5)), 4)
    finally:
        release.set()
    assert_failed(result, "dns", "cannot resolve host slow-dns.test", "no answer within 1.5 s")


def test_huge_and_numerous_headers_are_protocol_errors():
    def many(sock):
        read_head(sock)
        sock.sendall(b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 500 + b"\r\n")

    def long_line(sock):
        read_head(sock)
        sock.sendall(b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 200_000 + b"\r\n\r\n")

    for serve in (many, long_line):
        with RawServer(serve) as server:
            assert_failed(bounded(lambda: fetch(server.url(), allow_private=True, limits=FAST), 5), "protocol")


def test_endless_100_continue_is_cut_at_the_deadline():
    def serve(sock):
        read_head(sock)
        while True:
            sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            time.sleep(0.01)

    with RawServer(serve) as server:
        assert_failed(bounded(lambda: fetch(server.url(), allow_private=True, limits=FAST), 6), "timeout", "deadline")


def test_cookies_are_neither_kept_nor_sent(httpserver):
    sent = []

    def handler(request):
        sent.append(request.headers.get("Cookie"))
        return Response(FEED, headers={"Set-Cookie": "track=1; Path=/"})

    httpserver.expect_request("/feed").respond_with_handler(handler)
    with Fetcher(allow_private=True) as fetcher:
        fetcher.fetch(httpserver.url_for("/feed"))
        fetcher.fetch(httpserver.url_for("/feed"))
        assert len(fetcher.session.cookies) == 0
    assert sent == [None, None]


@pytest.mark.parametrize("template", ["http://feeds.example.com@127.0.0.1:{port}/feed",
                                      "http://127.0.0.1:{port}#@feeds.example.com/feed",
                                      "http://127.0.0.1:{port}?@feeds.example.com/feed",
                                      "http://[::ffff:7f00:1]:{port}/feed",
                                      "http://127.000.000.001:{port}/feed",
                                      "http://\uff11\uff12\uff17.\uff10.\uff10.\uff11:{port}/feed",
                                      "HTTP://LOCALHOST:{port}/feed",
                                      "http://localhost.:{port}/feed"])
def test_url_parser_tricks_do_not_reach_loopback(httpserver, template):
    """Whatever the spelling, the address dialled is checked, so the local server never sees a request."""
    httpserver.expect_request("/feed").respond_with_data(FEED)
    result = fetch(template.format(port=httpserver.port), allow_private=False, limits=FAST)
    assert result.error and not result.ok
    assert result.error_kind in ("blocked", "invalid_url"), result.error
    assert len(httpserver.log) == 0
