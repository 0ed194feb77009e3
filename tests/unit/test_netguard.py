"""The SSRF guard: every spelling of a forbidden address is refused, allow_private never opens link-local."""
from __future__ import annotations

import ipaddress
import socket

import pytest

from wirefeed.netguard import BlockedAddress, Guard, literal_ip, refusal

ALWAYS_REFUSED = {
    "169.254.169.254": "link-local",
    "169.254.0.1": "link-local",
    "fe80::1": "link-local",
    "100.64.0.1": "CGNAT",
    "100.127.255.254": "CGNAT",
    "0.0.0.0": "unspecified",
    "0.1.2.3": "unspecified",
    "::": "unspecified",
    "224.0.0.1": "multicast",
    "ff02::1": "multicast",
    "240.0.0.1": "reserved",
    "255.255.255.255": "reserved",
    "198.18.0.1": "reserved",
    "192.0.2.1": "reserved",
    "2001:db8::1": "reserved",
    "::ffff:169.254.169.254": "link-local",
    "64:ff9b::a9fe:a9fe": "link-local",  # NAT64 spelling of 169.254.169.254
    "2002:a9fe:a9fe::1": "link-local",  # 6to4 spelling of 169.254.169.254
}
PRIVATE = {
    "127.0.0.1": "loopback",
    "127.255.0.9": "loopback",
    "::1": "loopback",
    "::ffff:127.0.0.1": "loopback",
    "10.1.2.3": "private",
    "172.16.0.1": "private",
    "172.31.255.255": "private",
    "192.168.1.1": "private",
    "fd00::1": "private",
    "::ffff:10.0.0.1": "private",
    "2002:7f00:1::": "loopback",  # 6to4 wrapping 127.0.0.1
}
PUBLIC = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "172.32.0.1", "100.128.0.1", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address,reason", sorted(ALWAYS_REFUSED.items()))
def test_always_refused_even_with_allow_private(address, reason):
    ip = ipaddress.ip_address(address)
    assert reason in refusal(ip, allow_private=False)
    assert reason in refusal(ip, allow_private=True)


@pytest.mark.parametrize("address,reason", sorted(PRIVATE.items()))
def test_private_and_loopback_refused_unless_allowed(address, reason):
    ip = ipaddress.ip_address(address)
    assert reason in refusal(ip, allow_private=False)
    assert refusal(ip, allow_private=True) is None


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address):
    assert refusal(ipaddress.ip_address(address), allow_private=False) is None


@pytest.mark.parametrize("spelling", ["2130706433", "0177.0.0.1", "0x7f.0.0.1", "0x7f000001", "127.1", "017700000001",
                                      "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "127.0.0.1"])
def test_every_spelling_of_loopback_is_loopback(spelling):
    assert literal_ip(spelling) in (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::ffff:127.0.0.1"))
    with pytest.raises(BlockedAddress, match="loopback"):
        Guard().check_url(f"http://{spelling}/feed")


def test_names_are_not_literal_addresses():
    assert literal_ip("example.com") is None
    assert literal_ip("1.example") is None
    assert literal_ip("0x7g.0.0.1") is None


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/feed", "gopher://x/", "data:text/plain,hi",
                                 "javascript:alert(1)", "//example.com/feed", "http:///nohost"])
def test_non_http_urls_refused(url):
    with pytest.raises(BlockedAddress):
        Guard(allow_private=True).check_url(url)


def test_decimal_encoded_metadata_address_refused_with_allow_private():
    with pytest.raises(BlockedAddress, match="169.254.169.254 is link-local"):
        Guard(allow_private=True).check_url("http://2852039166/latest/meta-data/")


def test_resolved_answers_are_checked_and_one_bad_answer_taints_the_host():
    answers = {"feeds.example": ["93.184.216.34", "10.0.0.5"], "ok.example": ["93.184.216.34"]}
    guard = Guard(resolver=lambda host, port: answers[host])
    assert guard.addresses("ok.example", 80) == ["93.184.216.34"]
    with pytest.raises(BlockedAddress, match="10.0.0.5, which is private"):
        guard.addresses("feeds.example", 80)


def test_empty_answer_is_a_resolution_error():
    with pytest.raises(socket.gaierror):
        Guard(resolver=lambda host, port: []).addresses("void.example", 80)


def test_literal_hosts_skip_the_resolver():
    def resolver(host, port):
        raise AssertionError("a literal address must not be resolved")

    assert Guard(allow_private=True, resolver=resolver).addresses("127.0.0.1", 80) == ["127.0.0.1"]
