"""What a person sees at a terminal, in process: colour, tables, prompts (no pty needed)."""

from __future__ import annotations

import re

import pytest

from tests.support.cognito_helpers import PASSWORD, cache_entries

pytest_plugins = ["tests.support.cognito_fixtures"]

COLOUR = re.compile(rb"\x1b\[[0-9;]*m")


def test_pretty_json_is_coloured_on_a_terminal_and_plain_with_no_color(terminal, profiles,
                                                                      monkeypatch):
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "xterm-256color")
    r = terminal("get", "open", "/x")
    assert r.code == 0, r.stderr
    assert COLOUR.search(r.stdout)
    assert b"HTTP/1.1 200" in r.stdout
    monkeypatch.setenv("NO_COLOR", "1")
    r = terminal("get", "open", "/x")
    assert not COLOUR.search(r.stdout)
    assert b'"method": "GET"' in r.stdout


def test_same_call_into_a_pipe_is_the_raw_body(terminal, profiles):
    r = terminal("get", "open", "/x", tty=False)
    assert r.code == 0
    assert not r.stdout.startswith(b"HTTP/")
    assert b'"method"' in r.stdout


def test_profiles_list_is_a_table_on_a_terminal_and_tab_separated_in_a_pipe(terminal, profiles,
                                                                             gateway):
    table = terminal("profiles", "list")
    assert table.code == 0
    assert b"\t" not in table.stdout
    assert f"{gateway.url}/key".encode() in table.stdout  # never cut
    piped = terminal("profiles", "list", tty=False)
    rows = [line.split(b"\t") for line in piped.stdout.splitlines()]
    assert [b"keyed", f"{gateway.url}/key".encode(), b"api_key"] in rows


@pytest.fixture
def app_profile(cognito_config, pool, jwt_gateway):
    cognito_config(pool, f"{jwt_gateway.url}/jwt/id")
    return pool


def test_login_prompts_for_user_and_password_at_a_terminal(terminal, app_profile, isolated):
    r = terminal("login", "app", stdin=f"alice\n{PASSWORD}\n")
    assert r.code == 0, r.stderr
    assert "Username: " in r.stderr
    assert "Password for alice: " in r.stderr
    assert PASSWORD not in r.stderr
    assert len(cache_entries(isolated)) == 1
    assert terminal("get", "app", "/items", tty=False).code == 0


def test_login_never_prompts_without_a_terminal(terminal, app_profile, isolated):
    r = terminal("login", "app", "--username", "alice", stdin=f"{PASSWORD}\n", tty=False)
    assert r.code == 9
    assert "will not prompt" in r.stderr
    assert cache_entries(isolated) == []


def test_verbose_names_the_mode_or_says_no_credentials_go(cli, profiles, gateway, other_gateway):
    r = cli("get", "keyed", "/x", "-v")
    assert "restcli: profile keyed, auth api_key" in r.stderr
    r = cli("get", "keyed", "/x", "-v", "--auth", "none")
    assert "auth none: no credentials are sent" in r.stderr
    r = cli("get", f"{other_gateway.url}/open/x", "-v")
    assert "no credentials:" in r.stderr and "under no profile's endpoint" in r.stderr


def test_download_shows_percentage_and_ends_with_a_summary(terminal, profiles, tmp_path):
    target = tmp_path / "big.bin"
    r = terminal("get", "open", "/bytes", "n==3000000", "-o", target, stdout_tty=False)
    assert r.code == 0, r.stderr
    assert target.stat().st_size == 3_000_000
    assert "%" in r.stderr  # the bar knew the size
    summary = [line for line in r.stderr.splitlines() if "saved 200 response body" in line]
    assert summary and "3.0 MB in " in summary[-1] and "/s)" in summary[-1]


def test_silent_download_says_nothing(terminal, profiles, tmp_path):
    r = terminal("get", "open", "/bytes", "n==1000", "-o", tmp_path / "f", "-s", stdout_tty=False)
    assert r.code == 0 and r.stderr == ""


def test_a_binary_body_on_a_terminal_is_described_not_printed(terminal, profiles):
    r = terminal("get", "open", "/binary")
    assert r.code == 0
    assert b"binary body: 256 bytes" in r.stdout and b"-o" in r.stdout
