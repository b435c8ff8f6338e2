"""An iam profile with an identity pool and a user pool, nobody signed in: the call goes out
with the pool's guest (unauthenticated) role, and restcli says so on stderr, once."""

from __future__ import annotations

import pytest

from tests.support.cognito_helpers import (
    MOTO_KEY,
    MOTO_SECRET,
    MOTO_TOKEN,
    PASSWORD,
    REGION,
    login_args,
)

pytest_plugins = ["tests.support.cognito_fixtures"]

NOTE = "using the identity pool's guest (unauthenticated) role"


@pytest.fixture
def profile(write_config, gateway, identity_pool, pool, monkeypatch):
    gateway.credentials = {MOTO_KEY: (MOTO_SECRET, MOTO_TOKEN)}

    def write(users: bool = True, extra: str = "") -> None:
        path = write_config(
            f'[profiles.app]\nendpoint = "{gateway.url}/iam"\nauth = "iam"\n'
            f'region = "{REGION}"\nidentity_pool_id = "{identity_pool}"\ntimeout = 5\n'
            + (f'user_pool_id = "{pool.id}"\nclient_id = "{pool.client_id}"\n' if users else "")
            + extra
        )
        monkeypatch.setenv("RESTCLI_CONFIG", str(path))

    write()
    return write


def test_nobody_signed_in_says_the_guest_role_is_used(cli, profile, moto):
    r = cli("get", "app", "/items")
    assert r.code == 0, r.stderr
    assert r.stderr.count(NOTE) == 1
    assert "no one is signed in to profile 'app'" in r.stderr
    assert "restcli login app" in r.stderr


def test_no_note_when_the_guest_role_is_asked_for(cli, profile, moto):
    r = cli("get", "app", "/items", "--guest")
    assert r.code == 0, r.stderr
    assert NOTE not in r.stderr
    profile(extra="guest = true\n")
    r = cli("get", "app", "/items")
    assert r.code == 0, r.stderr
    assert NOTE not in r.stderr


def test_no_note_with_silent(cli, profile, moto):
    r = cli("get", "app", "/items", "--silent")
    assert r.code == 0, r.stderr
    assert r.stderr == ""


def test_no_note_without_a_user_pool_to_sign_in_to(cli, profile, moto):
    profile(users=False)
    r = cli("get", "app", "/items")
    assert r.code == 0, r.stderr
    assert NOTE not in r.stderr


def test_no_note_once_signed_in(cli, stdin, profile, moto):
    stdin(PASSWORD + "\n")
    assert cli(*login_args()).code == 0
    r = cli("get", "app", "/items")
    assert r.code == 0, r.stderr
    assert NOTE not in r.stderr
