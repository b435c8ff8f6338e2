"""Bad input at the edges: control characters in secrets, bare-URL defaults, bounds, -o."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import API_KEY


def test_secret_with_trailing_newline_is_used(cli, profiles, gateway, monkeypatch):
    monkeypatch.setenv("ITEMS_KEY", API_KEY + "\n")
    assert cli("get", "keyed", "/x").code == 0
    assert gateway.last.header("x-api-key") == API_KEY


def test_secret_with_inner_line_break_is_refused_without_printing_it(cli, profiles, gateway,
                                                                     monkeypatch):
    monkeypatch.setenv("ITEMS_KEY", "first-line-secret\nsecond-line-secret")
    r = cli("get", "keyed", "/x")
    assert r.code == 9
    assert "line break" in r.stderr and "profile 'keyed', key 'api_key'" in r.stderr
    assert "line-secret" not in r.stderr
    assert gateway.received == []


def test_header_with_control_character_is_usage_error(cli, profiles, gateway):
    r = cli("get", "open", "/x", "-H", "X-A: one\rtwo")
    assert r.code == 2
    assert "Traceback" not in r.stderr


def test_bare_url_gets_no_default_headers_or_header_command(cli, write_config, gateway, tmp_path):
    script = tmp_path / "h.py"
    script.write_text("print('X-Secret: from-defaults-command')\n")
    cfg = write_config(
        f"""
        [defaults]
        timeout = 5
        headers_command = "{sys.executable} {script}"
        [defaults.headers]
        X-Default = "d"
        """
    )
    r = cli("--config", cfg, "get", f"{gateway.url}/open/x")
    assert r.code == 0, r.stderr
    assert gateway.last.header("x-secret") is None
    assert gateway.last.header("x-default") is None


def test_timeouts_cannot_be_switched_off(cli, write_config, profiles, gateway):
    for value in ("0", "-1", "nan"):
        r = cli("get", "open", "/x", "--timeout", value)
        assert r.code == 2, (value, r.stderr)
    cfg = write_config('[profiles.p]\nendpoint = "http://127.0.0.1:1/x"\ntimeout = 0\n')
    r = cli("--config", cfg, "get", "p", "/x")
    assert r.code == 8
    assert "timeout: must be more than 0" in r.stderr
    assert gateway.received == []


def test_profile_retries_are_bounded(cli, write_config):
    cfg = write_config('[profiles.p]\nendpoint = "http://127.0.0.1:1/x"\nretries = 1000\n')
    r = cli("--config", cfg, "config", "check")
    assert r.code == 8
    assert "retries: must be from 0 to 10" in r.stderr


def test_profile_ca_bundle_missing_is_config_error(cli, write_config, tmp_path):
    cfg = write_config(
        f'[profiles.p]\nendpoint = "https://127.0.0.1:1/x"\nca_bundle = "{tmp_path}/none.pem"\n'
        'auth = "none"\n'
    )
    r = cli("--config", cfg, "get", "p", "/x")
    assert r.code == 8
    assert "CA bundle not found" in r.stderr


def test_endpoint_with_credentials_is_refused(cli, write_config):
    cfg = write_config('[profiles.p]\nendpoint = "https://user:pw@api.example.com/x"\n')
    r = cli("--config", cfg, "config", "check")
    assert r.code == 8
    assert "must not hold credentials" in r.stderr
    assert "pw@" not in r.stderr


def test_output_file_problems_are_found_before_sending(cli, profiles, gateway, tmp_path):
    r = cli("get", "open", "/x", "-o", tmp_path / "missing" / "f.json")
    assert r.code == 2 and "no directory" in r.stderr
    r = cli("get", "open", "/x", "-o", tmp_path)
    assert r.code == 2 and "is a directory" in r.stderr
    assert gateway.received == []


def test_error_body_never_replaces_the_output_file(cli, profiles, gateway, tmp_path):
    out = tmp_path / "item.json"
    out.write_text("previous good copy")
    r = cli("get", "open", "/status/404", "-o", out)
    assert r.code == 4
    assert out.read_text() == "previous good copy"
    # The error body goes to stderr, never to stdout (a script reads stdout).
    assert r.stdout == b"" and "Not Found" in r.stderr
    r = cli("get", "open", "/status/404", "-o", out, "--ignore-status")
    assert r.code == 0
    assert "Not Found" in out.read_text()


@pytest.mark.parametrize("argv", [
    ["get"],  # a missing argument (Click)
    ["get", "open", "/x", "--bogus"],  # an unknown option (Click)
    ["get", "open", "/x", "--timeout", "abc"],  # a bad value (Click)
    ["nosuch"],  # an unknown command (Click)
    ["profiles", "show"],  # a missing argument in a group (Click)
    ["get", "open", "/x", "count:=three"],  # an item that does not parse (restcli)
    ["get", "open", "/x", "-o", ""],  # an option restcli checks itself
])
def test_every_usage_error_has_one_format(cli, profiles, argv):
    r = cli(*argv)
    assert r.code == 2
    lines = r.stderr.splitlines()
    assert lines[0].startswith("restcli: error: ") and not lines[0].endswith(".")
    assert all(line.startswith("hint: ") for line in lines[1:]), r.stderr
    assert "Usage:" not in r.stderr and "Try '" not in r.stderr
