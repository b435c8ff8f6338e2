"""Hostile servers, config files and command lines against restcli's promises.

Credentials stay with their origin, server text stays inert, buffered reads stay
bounded: each test here is a way a hostile input once got past one of those promises.
Real loopback servers only.
"""

from __future__ import annotations

import base64
import json
import socket
import threading

import pytest

from tests.conftest import API_KEY


@pytest.mark.parametrize("code", (302, 307))
def test_backslash_before_userinfo_in_location_is_another_origin(cli, profiles, gateway, other_gateway, code):
    # urlsplit reads `http://localhost:P2\@127.0.0.1:P1/` as host 127.0.0.1 (the start),
    # but requests connects to localhost:P2, as browsers do: another origin.
    other_port = other_gateway.url.rsplit(":", 1)[1]
    to = f"http://localhost:{other_port}%5C@{gateway.url[len('http://'):]}/key/landed"
    r = cli("get", "keyed", f"/redirect?code={code}&to={to}", "-H", "Cookie: s=1")
    assert gateway.received[0].header("x-api-key") == API_KEY
    landed = other_gateway.last
    assert landed is not None, (r.code, r.stderr, r.out, gateway.received[-1].target)
    assert landed.header("x-api-key") is None
    assert landed.header("cookie") is None


class RawServer:
    """A loopback server that answers every request with `answer(request_head) -> bytes`."""

    def __init__(self, answer):
        self.answer = answer
        self.heads: list[bytes] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        with conn:
            conn.settimeout(5)
            head = b""
            try:
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    head += chunk
                self.heads.append(head)
                conn.sendall(self.answer(head))
                conn.shutdown(socket.SHUT_WR)
                conn.recv(1)
            except OSError:
                pass

    def close(self):
        self.sock.close()


@pytest.fixture
def raw_server():
    servers = []

    def start(answer):
        servers.append(RawServer(answer))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def _redirect(location: bytes, code: int = 302) -> bytes:
    return (b"HTTP/1.1 %d Found\r\nLocation: " % code + location
            + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


FAKE = b"\x1b[2K\x1b[1A\x1b[32mOK\x9b"


def test_redirect_loop_location_is_escaped(cli, raw_server):
    srv = raw_server(lambda head: _redirect(b"/loop?" + FAKE))
    r = cli("get", f"{srv.url}/loop")
    assert r.code == 3
    assert "more than 10 redirects" in r.stderr
    assert "\x1b" not in r.stderr and "\x9b" not in r.stderr
    assert "\\x1b[2K" in r.stderr


def test_non_http_location_is_escaped(cli, raw_server):
    srv = raw_server(lambda head: _redirect(b"ftp://x/" + FAKE))
    r = cli("get", f"{srv.url}/x")
    assert r.code == 3
    assert "non-HTTP URL" in r.stderr
    assert "\x1b" not in r.stderr and "\x9b" not in r.stderr



DEEP = b"[" * 50_000


def _answer(status: int, body: bytes, ctype: bytes = b"application/json") -> bytes:
    return (b"HTTP/1.1 %d Answer\r\nContent-Type: " % status + ctype
            + b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)


def test_cognito_answer_nested_too_deep_is_a_refusal(run, raw_server, write_config):
    srv = raw_server(lambda head: _answer(400, DEEP, b"application/x-amz-json-1.1"))
    path = write_config(f"""
        [profiles.c]
        endpoint = "{srv.url}"
        auth = "cognito"
        user_pool_id = "us-east-1_Deep"
        client_id = "cid"
        flow = "password"
    """)
    r = run("login", "c", "--username", "u", "--password-stdin", input=b"pw\n",
            env={"RESTCLI_CONFIG": str(path), "AWS_ENDPOINT_URL": srv.url})
    assert r.code == 9, r.stderr
    assert "unexpected" not in r.stderr
    assert srv.heads  # the answer was read


def test_oauth_answer_nested_too_deep_is_a_refusal(cli, raw_server, write_config, monkeypatch):
    srv = raw_server(lambda head: _answer(400, DEEP))
    monkeypatch.setenv("CS", "client-secret")
    path = write_config(f"""
        [profiles.m]
        endpoint = "{srv.url}"
        auth = "cognito"
        user_pool_id = "us-east-1_Deep"
        client_id = "cid"
        client_secret = "env:CS"
        flow = "client_credentials"
        domain = "{srv.url}"
    """)
    monkeypatch.setenv("RESTCLI_CONFIG", str(path))
    r = cli("get", "m", "/x")
    assert r.code == 9, r.stderr
    assert "unexpected" not in r.stderr
    assert b"/oauth2/token" in srv.heads[0]


def test_token_whose_claims_nest_too_deep_is_not_a_jwt(cli, write_config, gateway, monkeypatch):
    payload = base64.urlsafe_b64encode(DEEP).decode().rstrip("=")
    monkeypatch.setenv("TOK", f"eyJhbGciOiJub25lIn0.{payload}.sig")
    path = write_config(f"""
        [profiles.c]
        endpoint = "{gateway.url}/open"
        auth = "cognito"
        user_pool_id = "us-east-1_Deep"
        client_id = "cid"
        token = "env:TOK"
    """)
    monkeypatch.setenv("RESTCLI_CONFIG", str(path))
    r = cli("auth", "status", "c")
    assert r.code == 0, r.stderr
    assert "not a JWT" in r.out


def test_cache_entry_nested_too_deep_is_corrupt(tmp_path):
    from restcli.cognito.cache import Cache

    warnings = []
    cache = Cache(root=tmp_path, warn=warnings.append)
    key = ("tokens", "us-east-1_Deep", "cid", "u")
    cache.path(key).write_bytes(DEEP)
    assert cache.read(key) is None
    assert "corrupt" in warnings[0]


def test_imported_endpoint_with_escape_sequence_is_refused(cli, tmp_path, monkeypatch):
    outputs = tmp_path / "amplify_outputs.json"
    outputs.write_text(json.dumps({"version": "1.3", "custom": {"API": {"shop": {
        "endpoint": "https://abc.execute-api.us-east-1.amazonaws.com/dev\x1b[2K\x1b[32mOK",
        "region": "us-east-1"}}}}))
    monkeypatch.setenv("RESTCLI_CONFIG", str(tmp_path / "profiles.toml"))
    r = cli("import", str(outputs), "--dry-run")
    assert r.code == 8, (r.out, r.stderr)
    assert "\x1b" not in r.out + r.stderr
    assert "\\x1b[2K" in r.stderr


def test_profile_endpoint_with_escape_sequence_is_a_config_error(cli, write_config, monkeypatch):
    path = write_config('[profiles.e]\nendpoint = "http://127.0.0.1:9/d\\u001b[2Kx"\nauth = "none"\n')
    monkeypatch.setenv("RESTCLI_CONFIG", str(path))
    r = cli("config", "check")
    assert r.code == 8
    assert "\x1b" not in r.stderr and "control character" in r.stderr


def test_offline_masks_a_secret_in_a_body_that_is_not_utf8(cli, profiles, tmp_path):
    body = tmp_path / "body.bin"
    body.write_bytes(b"caf\xe9 " + API_KEY.encode() + b" end")
    r = cli("post", "keyed", "/x", "-d", f"@{body}", "--offline")
    assert r.code == 0, r.stderr
    assert API_KEY.encode() not in r.stdout
    assert b"caf\xe9 " in r.stdout  # the other bytes as they are


@pytest.mark.parametrize("device", ["/dev/zero", "fifo"])
def test_a_device_or_fifo_as_the_profiles_file_or_an_import_is_refused(cli, tmp_path, device):
    import os

    if device == "fifo":
        device = tmp_path / "fifo"
        os.mkfifo(device)
    r = cli("--config", device, "config", "check")
    assert r.code == 8 and "not a regular file" in r.stderr, r.stderr
    r = cli("--config", tmp_path / "p.toml", "import", device, "--dry-run")
    assert r.code == 2 and "not a regular file" in r.stderr, r.stderr


def test_editing_a_profile_that_is_not_a_table_is_a_config_error(cli, write_config):
    cfg = write_config('[profiles]\nx = 3\n[profiles.y]\nendpoint = "https://h.example/d"\n'
                       'headers = "oops"\n')
    r = cli("--config", cfg, "profiles", "set", "x", "timeout", "5")
    assert r.code == 8 and "not a table" in r.stderr, r.stderr
    r = cli("--config", cfg, "profiles", "unset", "y", "headers.X-A")
    assert r.code == 8 and "not a table" in r.stderr, r.stderr


def test_a_proxy_password_in_a_profile_is_never_shown(cli, write_config):
    cfg = write_config('[profiles.p]\nendpoint = "https://h.example/d"\nauth = "none"\n'
                       'proxy = "http://bob:hunter2secret@127.0.0.1:3128"\n')
    for extra in ([], ["--json"]):
        r = cli("--config", cfg, "profiles", "show", "p", *extra)
        assert r.code == 0, r.stderr
        assert b"hunter2secret" not in r.stdout


def test_a_mistyped_endpoint_never_quotes_its_password(cli, write_config):
    cfg = write_config('[profiles.p]\nendpoint = "htps://user:topsecret1@h.example/d"\n')
    r = cli("--config", cfg, "config", "check")
    assert r.code == 8
    assert "topsecret1" not in r.stderr and "must not hold credentials" in r.stderr
