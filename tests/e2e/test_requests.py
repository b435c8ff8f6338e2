"""The request pipeline against the test gateway: modes, items, URLs, bodies, overrides."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import API_KEY, TOKEN


def test_api_key_profile_calls_protected_route(cli, profiles, gateway):
    r = cli("get", "keyed", "/items")
    assert r.code == 0, r.stderr
    echo = r.json()
    assert echo["path"] == "/key/items"
    assert echo["principal"] == API_KEY
    assert echo["headers"]["x-client"] == "restcli-tests"
    assert echo["headers"]["user-agent"].startswith("restcli/")


def test_token_profile_sends_raw_token_by_default(cli, profiles, gateway):
    r = cli("get", "custom", "/items")
    assert r.code == 0, r.stderr
    assert gateway.last.header("authorization") == TOKEN


def test_bearer_scheme(cli, profiles, gateway):
    r = cli("get", "bearer", "/items")
    assert r.code == 0, r.stderr
    assert gateway.last.header("authorization") == f"Bearer {TOKEN}"


def test_token_in_custom_header(cli, write_config, gateway, monkeypatch):
    gateway.token_header = "X-Custom-Auth"
    monkeypatch.setenv("T", TOKEN)
    cfg = write_config(
        f"""
        [profiles.c]
        endpoint = "{gateway.url}/token"
        auth = "token"
        token = "env:T"
        header = "X-Custom-Auth"
        """
    )
    r = cli("--config", cfg, "get", "c", "/x")
    assert r.code == 0, r.stderr
    assert gateway.last.header("authorization") is None


def test_api_key_custom_header_name(cli, write_config, gateway, monkeypatch):
    monkeypatch.setenv("K", "k-value")
    cfg = write_config(
        f"""
        [profiles.k]
        endpoint = "{gateway.url}/open"
        auth = "api_key"
        api_key = "env:K"
        api_key_header = "X-Other-Key"
        """
    )
    assert cli("--config", cfg, "get", "k", "/").code == 0
    assert gateway.last.header("x-other-key") == "k-value"
    assert gateway.last.header("x-api-key") is None


def test_none_mode_sends_no_credentials_not_even_netrc(cli, profiles, gateway, isolated):
    netrc = isolated / ".netrc"
    netrc.write_text("machine 127.0.0.1 login user password netrc-secret\n")
    netrc.chmod(0o600)
    r = cli("get", "open", "/items")
    assert r.code == 0
    assert gateway.last.header("authorization") is None
    # the same for a bare URL
    assert cli("get", f"{gateway.url}/open/x").code == 0
    assert gateway.last.header("authorization") is None


def test_auth_none_override_on_keyed_profile(cli, profiles, gateway):
    r = cli("get", "keyed", "/items", "--auth", "none")
    assert r.code == 4
    assert gateway.last.header("x-api-key") is None
    # profile headers still apply
    assert gateway.last.header("x-client") == "restcli-tests"


def test_auth_none_does_not_need_the_profiles_secret(cli, profiles, gateway, monkeypatch):
    monkeypatch.delenv("ITEMS_KEY")
    assert cli("get", "keyed", "/x", "--auth", "none").code == 4
    assert cli("get", "keyed", "/x").code == 9


def test_auth_override_to_another_mode_uses_profile_keys(cli, write_config, gateway, monkeypatch):
    monkeypatch.setenv("T", TOKEN)
    cfg = write_config(
        f"""
        [profiles.p]
        endpoint = "{gateway.url}/token"
        auth = "none"
        token = "env:T"
        """
    )
    assert cli("--config", cfg, "get", "p", "/").code == 4
    assert cli("--config", cfg, "get", "p", "/", "--auth", "token").code == 0


def test_unknown_auth_override_is_usage_or_config_error(cli, profiles):
    r = cli("get", "keyed", "/x", "--auth", "kerberos")
    assert r.code == 8
    assert "unknown auth mode 'kerberos'" in r.stderr
    assert "api_key" in r.stderr


def test_remove_profile_header_and_mode_header(cli, profiles, gateway):
    assert cli("get", "keyed", "/x", "X-Client:").code == 0
    assert gateway.last.header("x-client") is None
    # The mode's own header: refused before sending (the call would fail for certain).
    sent = len(gateway.received)
    r = cli("get", "keyed", "/x", "X-Api-Key:")
    assert r.code == 2 and "X-Api-Key: cannot be removed: the api_key mode sets it" in r.stderr
    assert len(gateway.received) == sent


def test_user_authorization_header_wins_over_mode(cli, profiles, gateway):
    r = cli("get", "custom", "/x", "-H", "Authorization: user-supplied")
    assert r.code == 4
    assert gateway.last.header("authorization") == "user-supplied"


def test_header_items_and_options(cli, profiles, gateway):
    r = cli("get", "open", "/x", "X-One:1", "-H", "X-Two: two words", "X-Empty;")
    assert r.code == 0
    last = gateway.last
    assert last.header("x-one") == "1"
    assert last.header("x-two") == "two words"
    assert last.header("x-empty") == ""


def test_query_rfc3986_encoding_and_repeats(cli, profiles, gateway):
    r = cli("get", "open", "/q", "a==x y", "p==1+1", "a==second", "-q", "e=", "-q", "r=/?&=")
    assert r.code == 0
    target = gateway.last.target
    assert target == "/open/q?a=x%20y&p=1%2B1&a=second&e=&r=%2F%3F%26%3D"
    assert r.json()["query"] == [["a", "x y"], ["p", "1+1"], ["a", "second"], ["e", ""], ["r", "/?&="]]


def test_path_joined_exactly_once(cli, write_config, gateway):
    cfg = write_config(
        f"""
        [profiles.a]
        endpoint = "{gateway.url}/open/dev"
        auth = "none"
        [profiles.b]
        endpoint = "{gateway.url}/open/dev/"
        auth = "none"
        """
    )
    for profile in ("a", "b"):
        for path in ("items/1", "/items/1"):
            assert cli("--config", cfg, "get", profile, path).code == 0
            assert gateway.last.target == "/open/dev/items/1"


def test_path_escaping(cli, profiles, gateway):
    assert cli("get", "open", "/a b/é/x%2Fy/50%").code == 0
    assert gateway.last.target == "/open/a%20b/%C3%A9/x%2Fy/50%25"


def test_query_inside_path_is_kept(cli, profiles, gateway):
    assert cli("get", "open", "/s?x=1&y=a b", "z==2").code == 0
    assert gateway.last.target == "/open/s?x=1&y=a%20b&z=2"


def test_bare_url(cli, gateway):
    r = cli("get", f"{gateway.url}/open/items", "n==1")
    assert r.code == 0, r.stderr
    assert gateway.last.target == "/open/items?n=1"


def test_bare_url_under_a_profile_endpoint_uses_that_profile(cli, profiles, gateway):
    r = cli("get", f"{gateway.url}/key/items")
    assert r.code == 0, r.stderr
    assert gateway.last.header("x-api-key") == API_KEY


def test_json_fields(cli, profiles, gateway):
    r = cli("post", "open", "/items", "name=widget", "count:=3", "tags:=[\"a\"]", "ok:=true")
    assert r.code == 0, r.stderr
    last = gateway.last
    assert json.loads(last.body) == {"name": "widget", "count": 3, "tags": ["a"], "ok": True}
    assert last.header("content-type") == "application/json"
    assert last.method == "POST"


def test_invalid_raw_json_is_usage_error(cli, profiles, gateway):
    r = cli("post", "open", "/items", "count:={bad")
    assert r.code == 2
    assert "invalid JSON" in r.stderr
    assert gateway.received == []


def test_data_text_and_file(cli, profiles, gateway, tmp_path):
    assert cli("put", "open", "/x", "-d", "plain text").code == 0
    assert gateway.last.body == b"plain text"
    f = tmp_path / "body.bin"
    f.write_bytes(bytes(range(256)) * 100)
    assert cli("put", "open", "/x", "-d", f"@{f}").code == 0
    assert gateway.last.body == f.read_bytes()


def test_data_from_stdin(run, profiles, gateway):
    r = run("post", "open", "/x", "-d", "@-", input=b'{"from": "stdin"}')
    assert r.code == 0, r.stderr
    assert gateway.last.body == b'{"from": "stdin"}'


def test_fields_and_data_together_refused(cli, profiles, gateway):
    r = cli("post", "open", "/x", "a=b", "-d", "x")
    assert r.code == 2


def test_stdin_never_read_unless_asked(profiles, gateway):
    # stdin is an open pipe nobody writes to: reading it would hang.
    proc = subprocess.Popen(
        [sys.executable, "-m", "restcli", "post", "open", "/x", "a=b"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, err


def test_request_command_with_any_method(cli, profiles, gateway):
    assert cli("request", "PROPFIND", "open", "/x").code == 0
    assert gateway.last.method == "PROPFIND"
    for method in ("put", "patch", "delete", "options"):
        assert cli(method, "open", "/x").code == 0
        assert gateway.last.method == method.upper()


def test_head_prints_nothing_into_pipe(cli, profiles, gateway):
    r = cli("head", "open", "/x")
    assert r.code == 0
    assert r.stdout == b""


def test_headers_command(cli, write_config, gateway, tmp_path):
    script = tmp_path / "hdrs.py"
    script.write_text("print('X-Api-Key: " + API_KEY + "')\nprint('X-Trace: t-1')\n")
    cfg = write_config(
        f"""
        [profiles.h]
        endpoint = "{gateway.url}/key"
        auth = "none"
        headers_command = "{sys.executable} {script}"
        """
    )
    r = cli("--config", cfg, "get", "h", "/x", "-v")
    assert r.code == 0, r.stderr
    assert gateway.last.header("x-trace") == "t-1"
    assert API_KEY not in r.stderr


def test_command_reference_token(cli, write_config, gateway, tmp_path):
    helper = tmp_path / "tok.py"
    helper.write_text(f"import sys\nassert sys.argv[1:] == ['--audience', 'items']\nprint('{TOKEN}')\n")
    cfg = write_config(
        f"""
        [profiles.c]
        endpoint = "{gateway.url}/token"
        auth = "token"
        token = "command:{sys.executable} {helper} --audience items"
        """
    )
    r = cli("--config", cfg, "get", "c", "/x")
    assert r.code == 0, r.stderr


def test_file_reference_strips_trailing_newline(cli, write_config, gateway, tmp_path):
    secret = tmp_path / "key"
    secret.write_text(API_KEY + "\n")
    cfg = write_config(
        f"""
        [profiles.f]
        endpoint = "{gateway.url}/key"
        auth = "api_key"
        api_key = "file:{secret}"
        """
    )
    assert cli("--config", cfg, "get", "f", "/x").code == 0


def test_header_value_reference(cli, write_config, gateway, monkeypatch):
    monkeypatch.setenv("HK", API_KEY)
    cfg = write_config(
        f"""
        [profiles.h]
        endpoint = "{gateway.url}/key"
        auth = "none"
        [profiles.h.headers]
        X-Api-Key = "env:HK"
        """
    )
    r = cli("--config", cfg, "get", "h", "/x", "-v")
    assert r.code == 0
    assert API_KEY not in r.stderr
