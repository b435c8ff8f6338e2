"""Transport in plain words, mutual TLS and proxies, against loopback servers made here
(certificates from a trustme CA made at test time)."""

from __future__ import annotations

import http.server
import json
import select
import socket
import ssl
import threading

import pytest
import trustme
from cryptography.hazmat.primitives import serialization

from tests.conftest import API_KEY


class Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        peer = self.connection.getpeercert() if isinstance(self.connection, ssl.SSLSocket) else None
        body = json.dumps({"path": self.path, "client": bool(peer),
                           "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


@pytest.fixture
def ca(tmp_path):
    authority = trustme.CA()
    path = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return authority, path


def _tls_server(ca, require_client_cert=False):
    authority, _ = ca
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("127.0.0.1").configure_cert(ctx)
    if require_client_cert:
        ctx.verify_mode = ssl.CERT_REQUIRED
        authority.configure_trust(ctx)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def tls_server(ca):
    server = _tls_server(ca)
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def mtls_server(ca):
    server = _tls_server(ca, require_client_cert=True)
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# --- messages -------------------------------------------------------------------------------


def test_https_to_a_plain_http_port_says_so_and_is_not_retried(cli, gateway):
    host = gateway.url[len("http://"):]
    r = cli("get", f"https://{host}/open/x", "--retries", "2")
    assert r.code == 7
    assert r.stderr.startswith(f"restcli: error: {host} answered in plain HTTP, not TLS: use http://")
    assert "retrying" not in r.stderr


def test_untrusted_certificate_names_host_and_option(cli, tls_server):
    host = tls_server[len("https://"):]
    r = cli("get", f"{tls_server}/x", "--no-retry")
    assert r.code == 7
    assert r.stderr.startswith(f"restcli: error: certificate for {host} is not trusted: ")
    assert "(use --ca-bundle FILE)" in r.stderr.splitlines()[0]


def test_dead_proxy_is_named_with_its_setting(cli, gateway, monkeypatch):
    port = _closed_port()
    r = cli("get", f"{gateway.url}/open/x", "--proxy", f"http://127.0.0.1:{port}", "--no-retry")
    assert r.code == 7
    assert f"cannot reach proxy 127.0.0.1:{port} (--proxy): connection refused" in r.stderr
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    r = cli("get", f"{gateway.url}/open/x", "--no-retry")
    assert r.code == 7
    assert f"cannot reach proxy 127.0.0.1:{port} (HTTP_PROXY): connection refused" in r.stderr


def test_innermost_keeps_a_closing_parenthesis():
    import requests

    from restcli.errors import _innermost

    e = requests.ConnectionError("Read timed out. (read timeout=1.0)")
    assert _innermost(e) == "Read timed out. (read timeout=1.0)"


# --- mutual TLS -----------------------------------------------------------------------------


def test_client_certificate_from_options(cli, ca, mtls_server, tmp_path):
    authority, ca_file = ca
    cert = authority.issue_cert("client.example")
    pem = tmp_path / "client.pem"
    cert.private_key_and_cert_chain_pem.write_to_path(str(pem))
    r = cli("get", f"{mtls_server}/x", "--ca-bundle", ca_file, "--cert", pem)
    assert r.code == 0, r.stderr
    assert r.json()["client"] is True
    r = cli("get", f"{mtls_server}/x", "--ca-bundle", ca_file, "--no-retry")
    assert r.code == 7
    assert "restcli: error:" in r.stderr and "Traceback" not in r.stderr


def test_encrypted_client_key_with_a_password_reference(cli, ca, mtls_server, tmp_path,
                                                        write_config, monkeypatch):
    authority, ca_file = ca
    cert = authority.issue_cert("client.example")
    cert_file = tmp_path / "client.crt"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    key = serialization.load_pem_private_key(cert.private_key_pem.bytes(), password=None)
    key_file = tmp_path / "client.key"
    key_file.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"key-password-123"),
    ))
    monkeypatch.setenv("KEY_PW", "key-password-123")
    cfg = write_config(f"""
        [profiles.m]
        endpoint = "{mtls_server}"
        auth = "none"
        ca_bundle = "{ca_file}"
        client_cert = "{cert_file}"
        client_key = "{key_file}"
        client_key_password = "env:KEY_PW"
        """)
    r = cli("--config", cfg, "get", "m", "/x")
    assert r.code == 0, r.stderr
    assert r.json()["client"] is True
    monkeypatch.setenv("KEY_PW", "wrong-password")
    r = cli("--config", cfg, "get", "m", "/x")
    assert r.code == 9
    assert "wrong-password" not in r.stderr


# --- proxies --------------------------------------------------------------------------------


class Proxy:
    """A loopback HTTP proxy: CONNECT tunnels, and absolute-form forwarding."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.seen: list[str] = []
        self.auth: list[str | None] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        with conn:
            head = b""
            while b"\r\n\r\n" not in head:
                piece = conn.recv(65536)
                if not piece:
                    return
                head += piece
            head, _, rest = head.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            self.seen.append(lines[0])
            auth = [v.split(":", 1)[1].strip() for v in lines[1:]
                    if v.lower().startswith("proxy-authorization:")]
            self.auth.append(auth[0] if auth else None)
            method, target, _ = lines[0].split(" ", 2)
            if method == "CONNECT":
                host, port = target.rsplit(":", 1)
                upstream = socket.create_connection((host, int(port)))
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self._pipe(conn, upstream)
                return
            from urllib.parse import urlsplit

            parts = urlsplit(target)
            upstream = socket.create_connection((parts.hostname, parts.port))
            kept = [v for v in lines[1:] if not v.lower().startswith("proxy-")]
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            upstream.sendall(f"{method} {path} HTTP/1.1\r\n".encode() +
                             "\r\n".join(kept + ["Connection: close"]).encode() + b"\r\n\r\n" + rest)
            self._pipe(conn, upstream)

    @staticmethod
    def _pipe(a, b):
        with b:
            while True:
                ready, _, _ = select.select([a, b], [], [], 10)
                if not ready:
                    return
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)

    def close(self):
        self.sock.close()


@pytest.fixture
def proxy():
    p = Proxy()
    yield p
    p.close()


def test_https_through_a_proxy_with_connect(cli, proxy, tls_server, ca, write_config):
    _, ca_file = ca
    cfg = write_config(f"""
        [profiles.p]
        endpoint = "{tls_server}"
        auth = "none"
        ca_bundle = "{ca_file}"
        proxy = "{proxy.url}"
        """)
    r = cli("--config", cfg, "get", "p", "/through")
    assert r.code == 0, r.stderr
    assert r.json()["path"] == "/through"
    assert len(proxy.seen) == 1
    assert proxy.seen[0].startswith(f"CONNECT {tls_server[len('https://'):]} HTTP/1.")


def test_proxy_credentials_are_sent_to_the_proxy_and_never_printed(cli, proxy, profiles, gateway,
                                                                 monkeypatch):
    monkeypatch.delenv("NO_PROXY", raising=False)
    url = proxy.url.replace("http://", "http://puser:proxy-pass-9876@")
    monkeypatch.setenv("HTTP_PROXY", url)
    r = cli("get", "keyed", "/x", "-v")
    assert r.code == 0, r.stderr
    assert proxy.seen[0].startswith(f"GET {gateway.url}/key/x")
    assert proxy.auth[0] and proxy.auth[0].startswith("Basic ")
    assert r.json()["headers"]["x-api-key"] == API_KEY
    assert "proxy-pass-9876" not in r.stderr and "proxy-pass-9876" not in r.out
    r = cli("get", "keyed", "/x", "--proxy", url, "--curl")
    assert "proxy-pass-9876" not in r.out + r.stderr
