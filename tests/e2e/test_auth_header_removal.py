"""A header the auth mode itself sets (the credential, SigV4's date and session token)
cannot be removed with `Name:` or `-H 'Name:'`: the request would be refused for certain.
restcli says so (exit 2, one line naming the header and the mode) and sends nothing."""

from __future__ import annotations

import pytest

from tests.support.profiles import profile_file
from tests.support.recorder import Recorder

KEY, SECRET, TOKEN = "AKIDREMOVETEST", "remove/secret+key=", "remove-session-token-0123456789"


@pytest.fixture
def rec():
    server = Recorder().start()
    yield server
    server.stop()


@pytest.fixture
def modes(rec, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    monkeypatch.setenv("SOME_SECRET", "a-secret-value-0123456789")
    endpoint = f"{rec.url}/dev"
    path = profile_file(
        tmp_path,
        iam={"endpoint": endpoint, "auth": "iam", "region": "us-east-1"},
        token={"endpoint": endpoint, "auth": "token", "token": "env:SOME_SECRET"},
        custom={"endpoint": endpoint, "auth": "token", "token": "env:SOME_SECRET",
                "header": "X-Token"},
        api_key={"endpoint": endpoint, "auth": "api_key", "api_key": "env:SOME_SECRET"},
        cognito={"endpoint": endpoint, "auth": "cognito", "user_pool_id": "us-east-1_AbC123",
                 "client_id": "1example23456789", "token": "env:SOME_SECRET"},
        none={"endpoint": endpoint, "auth": "none"},
    )
    monkeypatch.setenv("RESTCLI_CONFIG", str(path))
    return rec


@pytest.mark.parametrize(
    "profile, header",
    [
        ("iam", "X-Amz-Date"),
        ("iam", "x-amz-security-token"),
        ("iam", "Authorization"),
        ("token", "Authorization"),
        ("custom", "X-Token"),
        ("api_key", "X-Api-Key"),
        ("cognito", "Authorization"),
    ],
)
@pytest.mark.parametrize("how", ["item", "-H"])
@pytest.mark.parametrize("offline", [[], ["--offline"]])
def test_removing_a_header_the_mode_sets_is_refused(cli, modes, profile, header, how, offline):
    removal = [f"{header}:"] if how == "item" else ["-H", f"{header}:"]
    r = cli("get", profile, "/x", *removal, *offline)
    assert r.code == 2, r.stderr
    assert r.stderr.strip().splitlines() == [
        f"restcli: error: {header}: cannot be removed: the {profile if profile != 'custom' else 'token'} "
        "mode sets it; use --auth none to send without credentials"
    ]
    assert r.stdout == b""
    assert modes.requests == []


@pytest.mark.parametrize(
    "profile, header",
    [
        ("iam", "X-Amz-Content-SHA256"),  # the mode does not send it
        ("iam", "X-Client"),
        ("custom", "Authorization"),  # this profile's token goes in X-Token
        ("none", "Authorization"),
    ],
)
def test_removing_a_header_the_mode_does_not_set_is_fine(cli, modes, profile, header):
    assert cli("get", profile, "/x", f"{header}:").code == 0
    assert len(modes.requests) == 1
    names = [line.split(b":")[0].lower() for line in modes.requests[0].split(b"\r\n")[1:]]
    assert header.lower().encode() not in names


def test_without_a_session_token_its_header_may_be_removed(cli, modes, monkeypatch):
    monkeypatch.delenv("AWS_SESSION_TOKEN")
    assert cli("get", "iam", "/x", "X-Amz-Security-Token:").code == 0
    assert b"x-amz-security-token" not in modes.requests[0].lower()


def test_auth_none_sends_without_credentials(cli, modes):
    assert cli("get", "iam", "/x", "X-Amz-Date:", "--auth", "none").code == 0
    assert b"authorization" not in modes.requests[0].lower()
