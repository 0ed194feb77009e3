"""HTTPS through the guard: the checked IP is dialled, yet SNI and certificate checks use the host name."""
from __future__ import annotations

import datetime as dt
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.unit.test_fetch_http import FAST, FEED, RawServer, read_head
from wirefeed.fetch import Fetcher


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for feeds.test, as (cert path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "feeds.test")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("feeds.test")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


@pytest.fixture
def tls_server(certificate):
    """A TLS feed server on 127.0.0.1 that records the SNI name each client asked for."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    names = []
    context.sni_callback = lambda sock, server_name, ctx: names.append(server_name)

    def serve(sock):
        with context.wrap_socket(sock, server_side=True) as tls:
            read_head(tls)
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(FEED), FEED))

    with RawServer(lambda sock: _quietly(serve, sock)) as server:
        server.names = names
        yield server


def _quietly(serve, sock):
    """Handshake failures are the point of some tests: the server just drops the connection."""
    try:
        serve(sock)
    except ssl.SSLError:
        pass


def resolver(host, port):
    return {"feeds.test": ["127.0.0.1"]}[host]


def test_certificate_is_verified_against_the_host_name(tls_server):
    with Fetcher(allow_private=True, resolver=resolver) as fetcher:
        result = fetcher.fetch(f"https://feeds.test:{tls_server.port}/feed", limits=FAST)
    assert result.error_kind == "tls" and "certificate verify failed" in result.error
    assert tls_server.names == ["feeds.test"]


def test_trusted_certificate_for_the_name_succeeds_on_the_checked_address(tls_server, certificate):
    with Fetcher(allow_private=True, resolver=resolver) as fetcher:
        fetcher.session.verify = str(certificate[0])
        result = fetcher.fetch(f"https://feeds.test:{tls_server.port}/feed", limits=FAST)
    assert result.ok and result.body == FEED and result.remote_addr == "127.0.0.1"
    assert tls_server.names == ["feeds.test"]


def test_guard_still_refuses_private_https_targets(tls_server):
    with Fetcher(allow_private=False, resolver=resolver) as fetcher:
        result = fetcher.fetch(f"https://feeds.test:{tls_server.port}/feed", limits=FAST)
    assert result.error_kind == "blocked" and tls_server.names == []
