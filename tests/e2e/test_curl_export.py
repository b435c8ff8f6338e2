"""--curl prints a command that runs: executed with the system's curl against the gateway."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys

import pytest

from restcli.app import App
from restcli.call import CallOptions, plan
from restcli.client import Client
from restcli.output.curl import export
from tests.conftest import API_KEY, TOKEN

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")


def _run_curl(command: str, env: dict | None = None, stdin: bytes | None = None):
    proc = subprocess.run(
        ["bash", "-c", command], capture_output=True, timeout=30, input=stdin,
        env={**os.environ, **(env or {})},
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _same_request(a, b):
    keep = lambda r: (r.method, r.target, r.body,  # noqa: E731
                      {k.lower(): v for k, v in r.headers
                       if k.lower() not in ("accept-encoding", "connection", "content-length")})
    assert keep(a) == keep(b)


@pytest.mark.parametrize("profile", ["open", "keyed", "custom", "bearer"])
def test_curl_command_sends_what_restcli_sends(cli, profiles, gateway, profile):
    args = ("post", profile, "/items/a b", "q==x y", "p==1+1", "name=widget", "X-Extra:1")
    r = cli(*args, "--curl")
    assert r.code == 0, r.stderr
    command = r.out.strip()
    assert API_KEY not in command and TOKEN not in command
    assert gateway.received == []
    out = _run_curl(command, {"ITEMS_KEY": API_KEY, "ITEMS_TOKEN": TOKEN})
    assert json.loads(out)["method"] == "POST"
    by_curl = gateway.last
    assert cli(*args).code == 0
    _same_request(by_curl, gateway.last)


def test_curl_secret_references_as_shell(cli, write_config, gateway, tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(API_KEY + "\n")
    helper = tmp_path / "tok.py"
    helper.write_text(f"print('{TOKEN}')\n")
    cfg = write_config(
        f"""
        [profiles.f]
        endpoint = "{gateway.url}/key"
        auth = "api_key"
        api_key = "file:{key_file}"
        [profiles.c]
        endpoint = "{gateway.url}/token"
        auth = "token"
        token = "command:{sys.executable} {helper}"
        """
    )
    r = cli("--config", cfg, "get", "f", "/x", "--curl")
    assert f"$(cat {key_file})" in r.out
    assert json.loads(_run_curl(r.out))["principal"] == API_KEY
    r = cli("--config", cfg, "get", "c", "/x", "--curl")
    assert f"$({sys.executable} {helper})" in r.out
    assert json.loads(_run_curl(r.out))["principal"] == TOKEN


def test_curl_literal_secret_becomes_a_variable(cli, write_config, gateway):
    cfg = write_config(
        f'[profiles.l]\nendpoint = "{gateway.url}/key"\nauth = "api_key"\napi_key = "{API_KEY}"\n'
    )
    r = cli("--config", cfg, "get", "l", "/x", "--curl")
    assert API_KEY not in r.out and API_KEY not in r.stderr
    assert "RESTCLI_SECRET_1" in r.out and "RESTCLI_SECRET_1" in r.stderr
    assert json.loads(_run_curl(r.out, {"RESTCLI_SECRET_1": API_KEY}))["principal"] == API_KEY


def test_curl_raw_body_and_file_body(cli, profiles, gateway, tmp_path):
    r = cli("put", "open", "/x", "-d", "@literal? no: text with $HOME and 'quotes'".replace("@", ""), "--curl")
    _run_curl(r.out)
    assert gateway.last.body == b"literal? no: text with $HOME and 'quotes'"
    assert gateway.last.header("content-type") is None
    f = tmp_path / "data.bin"
    f.write_bytes(bytes(range(256)))
    r = cli("put", "open", "/x", "-d", f"@{f}", "--curl")
    _run_curl(r.out)
    assert gateway.last.body == bytes(range(256))


def test_curl_headers_command(cli, write_config, gateway, tmp_path):
    script = tmp_path / "h.py"
    script.write_text(f"print('X-Api-Key: {API_KEY}')\n")
    cfg = write_config(
        f'[profiles.h]\nendpoint = "{gateway.url}/key"\nauth = "none"\n'
        f'headers_command = "{sys.executable} {script}"\n'
    )
    r = cli("--config", cfg, "get", "h", "/x", "--curl")
    assert API_KEY not in r.out
    assert json.loads(_run_curl(r.out))["principal"] == API_KEY


def test_removed_accept_encoding_is_not_asked_for_by_curl(cli, profiles):
    r = cli("get", "open", "/x", "--curl")
    assert "--compressed" in r.out
    r = cli("get", "open", "/x", "Accept-Encoding:", "--curl")
    assert r.code == 0, r.stderr
    assert "--compressed" not in r.out


# -- a secret's value typed as ordinary text in the URL or body -------------------------------
@pytest.fixture
def prod_token(write_config, gateway, monkeypatch):
    """A token whose value, `prod`, is also an ordinary word of the URL and the body."""
    monkeypatch.setenv("MYTOK", "prod")
    path = write_config(f'[profiles.t]\nendpoint = "{gateway.url}/open"\nauth = "token"\n'
                        'token = "env:MYTOK"\nscheme = "Bearer"\n')
    monkeypatch.setenv("RESTCLI_CONFIG", str(path))
    return path


def _exported(method: str, api: str, path: str, *items: str) -> str:
    """The command as output.curl.export writes it (the app's secret-output writer)."""
    out = io.StringIO()
    app = App(stdout=out, stderr=io.StringIO(), stdout_tty=False, stderr_tty=False)
    the_plan = plan(app, method, api, path, list(items), CallOptions(curl=True))
    prepared = Client(the_plan.send).prepare(the_plan.spec, the_plan.auth)
    export(app, the_plan.spec, prepared, the_plan.auth, the_plan.profile.name)
    return out.getvalue().strip()


def test_export_leaves_the_users_url_and_body_as_typed(prod_token, gateway):
    command = _exported("GET", "t", "/prod/items", "name==prod")
    assert "\u2026" not in command
    assert f"'{gateway.url}/open/prod/items?name=prod'" in command
    assert '"Authorization: Bearer ${MYTOK}"' in command
    command = _exported("POST", "t", "/x", "name=prod")
    assert """--data-raw '{"name": "prod"}'""" in command
    assert '"Authorization: Bearer ${MYTOK}"' in command


def test_curl_leaves_a_secret_value_typed_in_the_url_as_typed(cli, prod_token, gateway):
    r = cli("get", "t", "/prod/items", "name==prod", "--curl")
    assert r.code == 0, r.stderr
    command = r.out.strip()
    assert f"'{gateway.url}/open/prod/items?name=prod'" in command
    assert '"Authorization: Bearer ${MYTOK}"' in command
    _run_curl(command, {"MYTOK": "prod"})
    by_curl = gateway.last
    assert cli("get", "t", "/prod/items", "name==prod").code == 0
    _same_request(by_curl, gateway.last)


def test_curl_leaves_a_secret_value_typed_in_the_body_as_typed(cli, prod_token, gateway):
    r = cli("post", "t", "/x", "name=prod", "--curl")
    assert r.code == 0, r.stderr
    assert """--data-raw '{"name": "prod"}'""" in r.out


def test_curl_never_prints_the_credential_itself(cli, prod_token, monkeypatch):
    monkeypatch.setenv("MYTOK", "a-token-nobody-typed-0123")
    r = cli("post", "t", "/prod/items", "name=prod", "--curl")
    assert r.code == 0, r.stderr
    assert "a-token-nobody-typed-0123" not in r.out + r.stderr
    assert '"Authorization: Bearer ${MYTOK}"' in r.out
