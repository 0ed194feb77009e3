"""SSRF guard: which URLs and IP addresses a fetch may reach, decided on the address actually dialled."""
from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

Resolver = Callable[[str, int], list[str]]

_LINK_LOCAL = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10"))
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
# The only ranges --allow-private admits besides loopback: RFC 1918 and IPv6 unique-local.
_PRIVATE = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class BlockedAddress(Exception):
    """A URL or address the guard refuses (deliberately not an OSError, so no HTTP layer retries it)."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for host (IPv4/IPv6, in its preference order)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def literal_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host spells literally, including decimal, octal and hex IPv4 forms; else None."""
    host = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host and all(part.isalnum() for part in host.split(".")) and host[0].isdigit():
        try:
            # inet_aton accepts what resolvers accept: 2130706433, 0177.0.0.1, 0x7f.1, 127.1.
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except (OSError, ValueError):
            return None
    return None


def refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_private: bool) -> str | None:
    """Why this address may not be fetched (e.g. "loopback"), or None when it may."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or (ip.sixtofour if ip.sixtofour else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is None and ip.teredo:
            embedded = ip.teredo[1]
        if embedded is not None:
            inner = refusal(embedded, allow_private)
            return f"{inner} (embedded IPv4 {embedded})" if inner else None
    # Link-local first: cloud metadata (169.254.169.254) must stay out of reach even with allow_private.
    if any(ip in net for net in _LINK_LOCAL if net.version == ip.version):
        return "link-local"
    if ip.is_unspecified or (ip.version == 4 and ip in _THIS_NETWORK):
        return "unspecified"
    if ip.is_multicast:
        return "multicast"
    if ip.version == 4 and ip in _CGNAT:
        return "shared address space (CGNAT 100.64.0.0/10)"
    if ip.is_loopback:
        return None if allow_private else "loopback"
    if any(ip in net for net in _PRIVATE if net.version == ip.version):
        return None if allow_private else "private"
    if not ip.is_global:
        return "reserved"
    return None


@dataclass
class Guard:
    """The fetch policy: private ranges admitted or not, and the resolver whose answers are checked."""

    allow_private: bool = False
    resolver: Resolver = field(default=system_resolver)

    def check_url(self, url: str) -> None:
        """Refuse a URL before any connection: non-http(s) schemes, missing hosts, forbidden literal IPs."""
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https"):
            raise BlockedAddress(f"refused {parts.scheme or 'scheme-less'} URL {url!r}: only http and https are fetched")
        host = parts.hostname
        if not host:
            raise BlockedAddress(f"refused URL {url!r}: no host")
        ip = literal_ip(host)
        if ip is not None:
            reason = refusal(ip, self.allow_private)
            if reason:
                raise BlockedAddress(f"refused {host}: {ip} is {reason}")

    def addresses(self, host: str, port: int, timeout: float | None = None) -> list[str]:
        """Resolve host once (within timeout seconds) and return its addresses, refusing the host if any
        answer is forbidden.

        The caller must connect to one of exactly these addresses: resolving again could give a
        different (rebound) answer than the one checked here.
        """
        ip = literal_ip(host)
        answers = [str(ip)] if ip is not None else self._resolve(host, port, timeout)
        if not answers:
            raise socket.gaierror(socket.EAI_NONAME, f"no address for {host}")
        for answer in answers:
            reason = refusal(ipaddress.ip_address(answer.split("%", 1)[0]), self.allow_private)
            if reason:
                # One bad answer taints the host: rebinding attacks mix public and private records.
                raise BlockedAddress(f"refused {host}: resolves to {answer}, which is {reason}")
        return answers

    def _resolve(self, host: str, port: int, timeout: float | None) -> list[str]:
        """Run the resolver, giving up after timeout seconds (getaddrinfo itself cannot be interrupted)."""
        if timeout is None:
            return self.resolver(host, port)
        box: dict = {}

        def run() -> None:
            try:
                box["answers"] = self.resolver(host, port)
            except Exception as exc:  # noqa: BLE001 - handed to the caller's thread below
                box["error"] = exc

        worker = threading.Thread(target=run, name=f"resolve {host}", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            # The lookup finishes (or times out in libc) on its own; nobody waits for it.
            raise socket.gaierror(socket.EAI_AGAIN, f"no answer within {timeout:g} s")
        if "error" in box:
            raise box["error"]
        return box["answers"]
