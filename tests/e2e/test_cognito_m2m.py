"""`flow = "client_credentials"`: machine-to-machine access tokens from a user-pool domain.

moto has no /oauth2/token, so a loopback stub (tests/support/cognito_fixtures.py OAuthStub) plays
the domain, issuing RS256 access tokens the test gateway verifies through the stub's JWKS.
"""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from tests.support.cognito_helpers import cache_entries, claims, entry, expire, fields

pytest_plugins = ["tests.support.cognito_fixtures"]

SECRET = "m2m-secret-0123456789"


@pytest.fixture
def m2m(write_config, gateway, oauth_stub, monkeypatch):
    gateway.jwks_url = oauth_stub.issuer.jwks_url
    monkeypatch.setenv("M2M_SECRET", SECRET)

    def write(extra: str = "", scopes: str = "items/read") -> None:
        path = write_config(
            f"""
            [profiles.m2m]
            endpoint = "{gateway.url}/jwt/access"
            auth = "cognito"
            flow = "client_credentials"
            client_id = "m2m-client"
            client_secret = "env:M2M_SECRET"
            domain = "{oauth_stub.url}"
            scopes = "{scopes}"
            timeout = 5
            """
            + extra
        )
        monkeypatch.setenv("RESTCLI_CONFIG", str(path))

    write()
    return write


def test_token_fetched_on_demand_and_cached(cli, m2m, oauth_stub, gateway, isolated):
    r = cli("get", "m2m", "/items")
    assert r.code == 0, r.stderr
    (req,) = oauth_stub.requests
    assert req["path"] == "/oauth2/token"
    assert req["form"] == {"grant_type": "client_credentials", "scope": "items/read"}
    assert req["auth"] == "Basic " + base64.b64encode(f"m2m-client:{SECRET}".encode()).decode()
    sent = claims(gateway.last.header("authorization"))
    assert sent["token_use"] == "access" and sent["scope"] == "items/read"
    assert cli("get", "m2m", "/items").code == 0
    assert len(oauth_stub.requests) == 1  # the second call used the cache
    (path,) = cache_entries(isolated, "oauth")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_expired_token_is_fetched_again(cli, m2m, oauth_stub, isolated):
    assert cli("get", "m2m", "/items").code == 0
    expire(isolated, seconds_left=30, kind="oauth")
    assert cli("get", "m2m", "/items").code == 0
    assert len(oauth_stub.requests) == 2


def test_renewed_after_a_401(cli, m2m, oauth_stub, gateway):
    r = cli("get", "m2m", "/status/401", "times==1", "then==200")
    assert r.code == 0, r.stderr
    assert len(oauth_stub.requests) == 2


def test_refused_client_exits_9_without_the_secret(cli, m2m, monkeypatch):
    monkeypatch.setenv("M2M_SECRET", "wrong-secret-0123456789")
    r = cli("get", "m2m", "/items")
    assert r.code == 9
    assert "invalid_client" in r.stderr
    assert "wrong-secret-0123456789" not in r.stderr


def test_unknown_scope_exits_9(cli, m2m):
    m2m(scopes="items/write")
    r = cli("get", "m2m", "/items")
    assert r.code == 9 and "invalid_scope" in r.stderr


def test_auth_token_login_status_logout(cli, m2m, oauth_stub, isolated):
    r = cli("auth", "token", "m2m")
    assert r.code == 0
    assert claims(r.out.strip())["client_id"] == "m2m-client"
    assert cli("auth", "token", "m2m", "--id").code == 2
    r = cli("login", "m2m")
    assert r.code == 0 and "no sign-in needed" in r.stderr
    status = cli("auth", "status", "m2m")
    assert status.code == 0
    shown = fields(status.out)
    assert shown["client"] == "m2m-client" and shown["scopes"] == "items/read"
    _, data = entry(isolated, "oauth")
    assert data["access_token"] not in status.out
    assert cli("logout", "m2m").code == 0
    assert cache_entries(isolated, "oauth") == []


def test_id_token_use_is_a_config_error(cli, m2m):
    m2m(extra='token_use = "id"\n')
    r = cli("get", "m2m", "/items")
    assert r.code == 8 and "access token only" in r.stderr


def test_missing_domain_is_a_config_error(cli, write_config, monkeypatch):
    monkeypatch.setenv("M2M_SECRET", SECRET)
    cfg = write_config(
        '[profiles.m]\nendpoint = "http://127.0.0.1:9"\nauth = "cognito"\n'
        'flow = "client_credentials"\nclient_id = "c"\nclient_secret = "env:M2M_SECRET"\n'
    )
    r = cli("--config", cfg, "get", "m", "/x")
    assert r.code == 8 and "'domain'" in r.stderr


def test_plain_http_domain_is_refused_without_sending_the_secret(cli, m2m, oauth_stub, isolated):
    # http:// only for loopback hosts (the stub above is one); anywhere else the client
    # secret would cross the network in clear text.
    cfg = Path(os.environ["RESTCLI_CONFIG"])
    cfg.write_text(cfg.read_text().replace(oauth_stub.url, "http://auth.example.com"))
    for args in (("get", "m2m", "/items"), ("login", "m2m"), ("auth", "token", "m2m")):
        r = cli(*args)
        assert r.code == 8, (args, r.stderr)
        assert "profile 'm2m', key 'domain'" in r.stderr and "clear text" in r.stderr
        assert SECRET not in r.stderr
    assert oauth_stub.requests == []
    assert cache_entries(isolated, "oauth") == []
