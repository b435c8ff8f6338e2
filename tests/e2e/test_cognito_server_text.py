"""What Cognito (or an OAuth domain, or a token's minter) says reaches the terminal inert,
a cache entry no header can carry is corrupt, and --max-time bounds getting credentials.

A fake Cognito on 127.0.0.1 (AWS_ENDPOINT_URL) answers every operation as a test says:
with hostile text, by quoting what it was sent, or not at all.
"""

from __future__ import annotations

import base64
import http.server
import json
import threading
import time

import pytest

from restcli.cognito import awsjson
from restcli.cognito.cache import Cache
from restcli.deadline import limit_call, whole_call
from restcli.errors import DeadlineFailure
from tests.support.cognito_helpers import PASSWORD, entry, login_args

pytest_plugins = ["tests.support.cognito_fixtures"]

# Erase the line, move up, and print a green OK: a fake success on a terminal.
HOSTILE = "\x1b[2K\x1b[1A\x1b[32mOK"
SHOWN = "\\x1b[2K\\x1b[1A\\x1b[32mOK"
POOL, CLIENT, USER = "us-east-1_Fake", "fake-client", "alice"


class FakeCognito:
    """Answers each POST with `answer(operation, request body) -> (status, JSON)`."""

    def __init__(self):
        self.answer = lambda operation, body: (400, {"__type": "X#" + HOSTILE, "message": HOSTILE})
        self.operations: list[str] = []
        self.release = threading.Event()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                operation = (self.headers.get("X-Amz-Target") or self.path).rsplit(".", 1)[-1]
                fake.operations.append(operation)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode()
                answer = fake.answer(operation, body)
                if answer is None:  # hang, until the test ends
                    fake.release.wait(30)
                    return
                status, data = answer
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake(monkeypatch):
    server = FakeCognito()
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
    yield server
    server.stop()


@pytest.fixture
def profile(write_config, gateway, fake, monkeypatch):
    monkeypatch.setenv("M2M_SECRET", "m2m-secret-0123456789")
    path = write_config(f"""
        [profiles.c]
        endpoint = "{gateway.url}/open"
        auth = "cognito"
        user_pool_id = "{POOL}"
        client_id = "{CLIENT}"
        flow = "password"
        timeout = 5

        [profiles.m]
        endpoint = "{gateway.url}/open"
        auth = "cognito"
        flow = "client_credentials"
        client_id = "{CLIENT}"
        client_secret = "env:M2M_SECRET"
        domain = "{fake.url}"
        timeout = 5
        """)
    monkeypatch.setenv("RESTCLI_CONFIG", str(path))
    return path


def _jwt(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(claims)}.c2ln"


def _cache(expires_in: float = 3600, **fields) -> dict:
    """A cache entry for alice in the fake pool, as restcli would have written it."""
    entry = {
        "access_token": _jwt({"username": USER, "token_use": "access", "scope": "aws.cognito"}),
        "id_token": _jwt({"cognito:username": USER, "token_use": "id"}),
        "refresh_token": "refresh.token.value-0123456789",
        "expires_at": time.time() + expires_in,
        "username": USER,
        "flow": "password",
    }
    entry.update(fields)
    Cache().write(("tokens", POOL, CLIENT, USER), entry)
    Cache().write(("last", POOL, CLIENT), {"username": USER})
    return entry


def _inert(text: str) -> None:
    assert "\x1b" not in text
    assert SHOWN in text


# -- server text is made inert ----------------------------------------------------------------
def test_a_refused_login_is_shown_inert(cli, profile, fake, stdin):
    stdin(PASSWORD + "\n")
    r = cli(*login_args("c", USER))
    assert r.code == 9, r.stderr
    assert fake.operations == ["InitiateAuth"]
    _inert(r.stderr)


def test_a_refused_refresh_is_shown_inert(cli, profile, fake):
    _cache(expires_in=-10)
    r = cli("get", "c", "/x")
    assert r.code == 9, r.stderr
    assert fake.operations == ["InitiateAuth"]
    _inert(r.stderr)


@pytest.mark.parametrize("everywhere", [False, True])
def test_a_refused_logout_is_shown_inert(cli, profile, fake, everywhere):
    _cache()
    r = cli("logout", "c", *(["--everywhere"] if everywhere else []))
    assert r.code == 0, r.stderr
    assert fake.operations == ["GlobalSignOut" if everywhere else "RevokeToken"]
    _inert(r.stderr)


def test_a_refused_client_credentials_grant_is_shown_inert(cli, profile, fake):
    fake.answer = lambda operation, body: (400, {"error": HOSTILE, "error_description": HOSTILE})
    r = cli("get", "m", "/x")
    assert r.code == 9, r.stderr
    assert fake.operations == ["/oauth2/token"]
    _inert(r.stderr)


def test_auth_status_shows_claims_inert(cli, profile, fake):
    _cache(
        id_token=_jwt({"cognito:username": USER + HOSTILE, "email": "a@example.com" + HOSTILE,
                       "cognito:groups": ["admins" + HOSTILE]}),
        access_token=_jwt({"username": USER, "scope": "items/read" + HOSTILE}),
    )
    for args in (["auth", "status", "c"], ["auth", "status", "c", "--json"]):
        r = cli(*args)
        assert r.code == 0, r.stderr
        assert "\x1b" not in r.out and "\\x1b" in r.out.replace("\\\\x1b", "\\x1b")
    r = cli("auth", "status", "c")
    assert r.out.count(SHOWN) == 4  # signed in as (user and e-mail), scopes, groups
    assert fake.operations == []


# -- the cache --------------------------------------------------------------------------------
@pytest.mark.parametrize("field", ["access_token", "id_token", "refresh_token"])
@pytest.mark.parametrize("bad", ["line\nbreak", "tab\there", "caf\u00e9", "nul\x00"])
def test_a_cached_token_no_header_can_carry_is_a_corrupt_entry(cli, profile, fake, field, bad):
    _cache(**{field: bad})
    r = cli("get", "c", "/x")
    assert r.code == 9, r.stderr  # not signed in: the entry is ignored
    assert "ignoring corrupt token cache entry" in r.stderr
    assert "line break" not in r.stderr and "unexpected" not in r.stderr
    assert fake.operations == []


# -- a service quoting a cached token ---------------------------------------------------------
def test_logout_everywhere_never_prints_a_token_the_service_quotes(cli, stdin, pool,
                                                                   cognito_config, gateway,
                                                                   monkeypatch, isolated):
    cognito_config(pool, f"{gateway.url}/open")
    stdin(PASSWORD + "\n")
    assert cli(*login_args()).code == 0  # real tokens, from moto
    access = entry(isolated)[1]["access_token"]
    quoting = FakeCognito()
    quoting.answer = lambda operation, body: (
        400, {"__type": "NotAuthorizedException",
              "message": f"Access Token has been revoked: {body['AccessToken']}"})
    monkeypatch.setenv("AWS_ENDPOINT_URL", quoting.url)
    try:
        r = cli("logout", "app", "--everywhere")
    finally:
        quoting.stop()
    assert r.code == 0, r.stderr
    assert quoting.operations == ["GlobalSignOut"]
    assert "Access Token has been revoked" in r.stderr
    assert access not in r.stderr and access[4:40] not in r.stderr  # at most its first 4


# -- --max-time bounds getting credentials ----------------------------------------------------
def test_a_service_call_ends_with_the_calls_max_time(fake):
    fake.answer = lambda operation, body: None
    start = time.monotonic()
    with whole_call():
        limit_call(1)
        with pytest.raises(DeadlineFailure) as e:
            awsjson.call(fake.url, "AWSCognitoIdentityProviderService.InitiateAuth", {})
    assert time.monotonic() - start < 5
    assert e.value.exit_code == 7
    assert "within 1 s (--max-time)" in e.value.message
    with whole_call():
        limit_call(1)
        time.sleep(1.1)  # spent before the service is asked: nothing is sent
        with pytest.raises(DeadlineFailure):
            awsjson.call(fake.url, "AWSCognitoIdentityProviderService.InitiateAuth", {})
    assert fake.operations == ["InitiateAuth"]


def test_max_time_bounds_a_refresh_that_hangs(cli, profile, fake):
    fake.answer = lambda operation, body: None
    _cache(expires_in=-10)
    start = time.monotonic()
    r = cli("get", "c", "/x", "--max-time", "2")
    assert time.monotonic() - start < 6
    assert r.code == 7, r.stderr
    assert "(--max-time)" in r.stderr


def test_max_time_bounds_a_command_reference(cli, write_config, gateway, monkeypatch):
    monkeypatch.setenv("RESTCLI_CONFIG", str(write_config(
        f'[profiles.t]\nendpoint = "{gateway.url}/open"\nauth = "token"\n'
        'token = "command:sleep 8"\n')))
    start = time.monotonic()
    r = cli("get", "t", "/x", "--max-time", "2")
    assert time.monotonic() - start < 6
    assert r.code == 7, r.stderr
    assert "(--max-time)" in r.stderr
