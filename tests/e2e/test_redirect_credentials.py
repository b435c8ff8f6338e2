"""Credentials never follow a redirect to another origin, whatever the auth mode.

Every test starts on the gateway and is redirected to `other_gateway` (another port:
another origin), then checks what arrived there, and that the first hop did carry the
credentials (so a test cannot pass with nothing sent at all).
"""

from __future__ import annotations

import http.server
import ssl
import sys
import threading

import pytest

from tests.conftest import API_KEY, TOKEN

CODES = (301, 302, 303, 307, 308)
AWS_KEY, AWS_SECRET, AWS_TOKEN = "AKIDREDIRECTTEST", "redirect-secret", "redirect-session-token"
# Headers that carry credentials in one mode or another; none may reach the other origin.
CREDENTIALS = ("authorization", "proxy-authorization", "cookie", "x-api-key",
               "x-amz-security-token", "x-my-token", "x-ref", "x-from-command")


@pytest.fixture
def mode_config(write_config, gateway, monkeypatch, tmp_path):
    monkeypatch.setenv("KEY", API_KEY)
    monkeypatch.setenv("TOK", TOKEN)
    monkeypatch.setenv("REF", "from-a-reference")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", AWS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", AWS_TOKEN)
    script = tmp_path / "headers.py"
    script.write_text("print('X-From-Command: command-secret')\n")
    common = f"""
        headers_command = "{sys.executable} {script}"
        [profiles.{{name}}.headers]
        X-Ref = "env:REF"
        X-Plain = "kept"
    """
    modes = {
        "none": 'auth = "none"',
        "api_key": 'auth = "api_key"\napi_key = "env:KEY"',
        "token": 'auth = "token"\ntoken = "env:TOK"\nheader = "X-My-Token"',
        "iam": 'auth = "iam"\nregion = "us-east-1"',
        "cognito": 'auth = "cognito"\nuser_pool_id = "us-east-1_Redirect"\nclient_id = "c"\n'
                   'token = "env:TOK"\nscheme = "Bearer"',
    }
    text = ""
    for name, body in modes.items():
        text += f'[profiles.{name}]\nendpoint = "{gateway.url}/open"\n{body}\n'
        text += common.replace("{name}", name).replace("\n        ", "\n")
    path = write_config(text)
    monkeypatch.setenv("RESTCLI_CONFIG", str(path))
    return path


def _assert_stripped(landed):
    for name in CREDENTIALS:
        assert landed.header(name) is None, name
    assert landed.header("x-plain") == "kept"


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("mode", ["none", "api_key", "token", "iam", "cognito"])
def test_no_credential_reaches_another_origin(cli, mode_config, gateway, other_gateway, mode, code):
    extra = ["-H", "Cookie: session=1", "-H", "Proxy-Authorization: Basic cHJveHk6cHc="]
    if mode == "none":
        extra += ["-H", "Authorization: Bearer typed-by-the-user"]
    r = cli("get", mode, "/redirect", f"code=={code}", f"to=={other_gateway.url}/open/landed", *extra)
    assert r.code == 0, r.stderr
    first = gateway.received[0]
    assert first.header("x-ref") == "from-a-reference"
    assert first.header("x-from-command") == "command-secret"
    assert first.header("cookie") == "session=1"
    own = {"none": "authorization", "api_key": "x-api-key", "token": "x-my-token",
           "iam": "authorization", "cognito": "authorization"}[mode]
    assert first.header(own)
    landed = other_gateway.last
    assert landed.path == "/open/landed"
    assert landed.method == "GET"
    _assert_stripped(landed)


@pytest.mark.parametrize("code", CODES)
def test_bare_url_keeps_nothing_typed_across_origins(cli, write_config, monkeypatch, gateway,
                                                     other_gateway, code):
    monkeypatch.setenv("RESTCLI_CONFIG", str(write_config("")))
    r = cli("get", f"{gateway.url}/open/redirect", f"code=={code}",
            f"to=={other_gateway.url}/open/landed", "-H", "Authorization: Bearer typed",
            "-H", "Cookie: c=1", "-H", "X-Api-Key: typed-key", "-H", "X-Amz-Security-Token: t",
            "-H", "X-Plain: kept")
    assert r.code == 0, r.stderr
    assert gateway.received[0].header("authorization") == "Bearer typed"
    _assert_stripped(other_gateway.last)


@pytest.mark.parametrize("code", [301, 302, 303])
def test_post_becomes_a_bodiless_get(cli, mode_config, gateway, other_gateway, code):
    r = cli("post", "api_key", "/redirect", f"code=={code}",
            f"to=={other_gateway.url}/open/landed", "name=value")
    assert r.code == 0, r.stderr
    assert gateway.received[0].method == "POST" and gateway.received[0].body_length > 0
    landed = other_gateway.last
    assert landed.method == "GET"
    assert landed.body_length == 0
    assert landed.header("content-type") is None and landed.header("content-length") is None
    _assert_stripped(landed)


@pytest.mark.parametrize("code", [307, 308])
def test_307_308_keep_method_and_body_within_the_origin(cli, mode_config, gateway, code):
    r = cli("post", "api_key", "/redirect", f"code=={code}", "to==/open/landed", "name=value")
    assert r.code == 0, r.stderr
    landed = gateway.last
    assert landed.method == "POST" and landed.path == "/open/landed"
    assert landed.body == b'{"name": "value"}'
    assert landed.header("x-api-key") == API_KEY


@pytest.mark.parametrize("code", [307, 308])
def test_307_308_with_a_body_are_not_followed_to_another_origin(cli, mode_config, gateway,
                                                                 other_gateway, code):
    r = cli("put", "none", "/redirect", f"code=={code}", f"to=={other_gateway.url}/open/x",
            "name=value")
    assert r.code == 3
    assert "another origin" in r.stderr and "not followed" in r.stderr
    assert other_gateway.received == []


@pytest.mark.parametrize("code", [307, 308])
def test_307_308_without_a_body_are_followed_stripped(cli, mode_config, gateway, other_gateway,
                                                      code):
    r = cli("delete", "token", "/redirect", f"code=={code}", f"to=={other_gateway.url}/open/x")
    assert r.code == 0, r.stderr
    assert other_gateway.last.method == "DELETE"
    _assert_stripped(other_gateway.last)


def test_the_request_spec_given_is_not_changed(gateway, other_gateway):
    from restcli.auth.api_key import MODE  # noqa: F401 - the mode's auth class below
    from restcli.auth.base import HeaderAuth
    from restcli.client import Client, SendOptions
    from restcli.request import RequestSpec

    spec = RequestSpec(
        method="POST",
        url=f"{gateway.url}/open/redirect?code=303&to={other_gateway.url}/open/x",
        headers={"x-api-key": ("X-Api-Key", "k", True), "content-type": ("Content-Type", "a/b", False)},
        body=b"payload",
    )
    before = (spec.method, spec.url, dict(spec.headers), dict(spec.user_headers), spec.body)
    client = Client(SendOptions(timeout=5, retries=0))
    try:
        client.send(spec, HeaderAuth("X-Api-Key", "k")).close()
    finally:
        client.close()
    assert other_gateway.last.method == "GET"
    assert (spec.method, spec.url, dict(spec.headers), dict(spec.user_headers), spec.body) == before


@pytest.fixture
def tls_redirector(tmp_path):
    """An https server on loopback that answers every request with a redirect."""
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    state = {"location": "", "seen": []}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            state["seen"].append({k.lower(): v for k, v in self.headers.items()})
            self.send_response(302)
            self.send_header("Location", state["location"])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(ctx)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}", ca_file, state
    server.shutdown()
    server.server_close()


def test_https_to_http_drops_credentials(cli, write_config, monkeypatch, tls_redirector,
                                         other_gateway):
    url, ca_file, state = tls_redirector
    state["location"] = f"{other_gateway.url}/open/landed"
    monkeypatch.setenv("KEY", API_KEY)
    cfg = write_config(f"""
        [profiles.tls]
        endpoint = "{url}/key"
        auth = "api_key"
        api_key = "env:KEY"
        ca_bundle = "{ca_file}"
        """)
    r = cli("--config", cfg, "get", "tls", "/x", "-H", "Cookie: c=1")
    assert r.code == 0, r.stderr
    assert state["seen"][0]["x-api-key"] == API_KEY
    landed = other_gateway.last
    assert landed.path == "/open/landed"
    assert landed.header("x-api-key") is None and landed.header("cookie") is None


# -- same origin keeps credentials; another host gets none of them -----------------------
def test_same_origin_redirect_keeps_key(cli, profiles, gateway):
    r = cli("get", "keyed", "/redirect", "to==/key/landed")
    assert r.code == 0, r.stderr
    assert gateway.last.path == "/key/landed"
    assert gateway.last.header("x-api-key") == API_KEY


def test_cross_host_redirect_drops_credentials(cli, profiles, gateway, other_gateway):
    r = cli("get", "keyed", "/redirect", f"to=={other_gateway.url}/open/landed", "-H", "Cookie: c=1")
    assert r.code == 0, r.stderr
    landed = other_gateway.last
    assert landed.path == "/open/landed"
    for name in ("x-api-key", "authorization", "cookie"):
        assert landed.header(name) is None
    assert landed.header("x-client") == "restcli-tests"


def test_cross_host_redirect_drops_custom_token_header(cli, write_config, gateway, monkeypatch,
                                                       other_gateway):
    monkeypatch.setenv("T", TOKEN)
    cfg = write_config(
        f"""
        [profiles.c]
        endpoint = "{gateway.url}/open"
        auth = "token"
        token = "env:T"
        header = "X-My-Token"
        """
    )
    r = cli("--config", cfg, "get", "c", "/redirect", f"to=={other_gateway.url}/open/x")
    assert r.code == 0
    assert other_gateway.last.header("x-my-token") is None


def test_cross_host_redirect_drops_every_credential_header(cli, write_config, gateway, monkeypatch,
                                                      tmp_path, other_gateway):
    monkeypatch.setenv("T", TOKEN)
    monkeypatch.setenv("REF", "from-a-reference")
    script = tmp_path / "h.py"
    script.write_text("print('X-From-Command: cmd-secret')\n")
    cfg = write_config(
        f"""
        [profiles.c]
        endpoint = "{gateway.url}/open"
        auth = "token"
        token = "env:T"
        header = "X-My-Token"
        headers_command = "{sys.executable} {script}"
        [profiles.c.headers]
        X-Ref = "env:REF"
        X-Plain = "kept"
        """
    )
    r = cli("--config", cfg, "get", "c", "/redirect", f"to=={other_gateway.url}/open/x",
            "X-My-Token:user-value")
    assert r.code == 0, r.stderr
    landed = other_gateway.last
    for name in ("x-my-token", "x-ref", "x-from-command"):
        assert landed.header(name) is None, name
    assert landed.header("x-plain") == "kept"
    assert gateway.received[0].header("x-my-token") == "user-value"


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("key,name", [("api_key_header", "X-My-Key"), ("header", "X-Tok")])
def test_the_profiles_declared_credential_header_stays_behind_whatever_the_mode(
        cli, write_config, monkeypatch, gateway, other_gateway, code, key, name):
    # --auth none sends no credential of the profile's, but a header typed with the name the
    # profile declares for one is still that credential's header.
    mode = "api_key" if key == "api_key_header" else "token"
    monkeypatch.setenv("RESTCLI_CONFIG", str(write_config(
        f'[profiles.p]\nendpoint = "{gateway.url}/open"\nauth = "{mode}"\n'
        f'{mode} = "env:UNUSED"\n{key} = "{name}"\n')))
    r = cli("get", "p", "/redirect", f"code=={code}", f"to=={other_gateway.url}/open/landed",
            "--auth", "none", "-H", f"{name}: typed-by-the-user", "-H", "X-Plain: kept")
    assert r.code == 0, r.stderr
    assert gateway.received[0].header(name) == "typed-by-the-user"
    landed = other_gateway.last
    assert landed.header(name) is None
    assert landed.header("x-plain") == "kept"
