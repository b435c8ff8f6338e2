"""Commands that print data print one JSON document with --json, redacted as their text form;
tables on a terminal never cut a value."""

from __future__ import annotations

import io
import json
import re

import pytest

from tests.conftest import API_KEY

pytest_plugins = ["tests.support.cognito_fixtures"]

LITERAL_KEY = "literal-api-key-0123456789abcdef"
LITERAL_AUTH = "Bearer literal-header-token-0123456789"
LONG_ENDPOINT = ("https://abcdef1234.execute-api.eu-central-1.amazonaws.com/"
                 "production-stage-with-a-long-name/v1")


@pytest.fixture
def cognito_app(cognito_config, pool, jwt_gateway):
    cognito_config(pool, f"{jwt_gateway.url}/jwt/id")
    return pool


def one_document(r):
    """The output is exactly one JSON document (json.loads refuses anything after it)."""
    assert r.code == 0, r.stderr
    return json.loads(r.stdout)


def test_profiles_list_json(cli, profiles, gateway):
    doc = one_document(cli("profiles", "list", "--json"))
    assert {"name": "keyed", "endpoint": f"{gateway.url}/key", "auth": "api_key"} in doc
    assert [p["name"] for p in doc] == ["open", "keyed", "custom", "bearer"]


def test_json_is_one_line_into_a_pipe_and_pretty_on_a_terminal(terminal, profiles):
    piped = terminal("profiles", "list", "--json", tty=False)
    assert piped.stdout.count(b"\n") == 1
    pretty = terminal("profiles", "list", "--json")
    assert pretty.stdout.count(b"\n") > 4
    assert json.loads(piped.stdout) == json.loads(pretty.stdout)


def test_profiles_show_json_masks_literal_secrets_as_the_text_form_does(cli, write_config,
                                                                       monkeypatch):
    monkeypatch.setenv("ITEMS_KEY", API_KEY)
    cfg = write_config(
        f"""
        [profiles.lit]
        endpoint = "https://api.example.com/v1"
        auth = "api_key"
        api_key = "{LITERAL_KEY}"
        timeout = 7
        headers = {{ Authorization = "{LITERAL_AUTH}", X-Team = "env:ITEMS_KEY" }}
        """
    )
    r = cli("--config", cfg, "profiles", "show", "lit", "--json")
    doc = one_document(r)
    assert LITERAL_KEY not in r.out and LITERAL_AUTH not in r.out and API_KEY not in r.out
    text = cli("--config", cfg, "profiles", "show", "lit").out
    assert re.search(rf"^api_key +=  ?{doc['settings']['api_key']['value']}   # profile$", text, re.MULTILINE)
    assert doc["settings"]["api_key"]["value"] == "lite…"
    assert doc["settings"]["timeout"] == {"value": 7, "source": "profile"}  # typed, not "7"
    assert doc["settings"]["endpoint"]["value"] == "https://api.example.com/v1"
    assert doc["headers"]["Authorization"]["value"] == "Bear…"
    assert doc["headers"]["X-Team"]["value"] == "env:ITEMS_KEY"  # a reference, as written
    assert doc["name"] == "lit" and doc["auth"] == "api_key" and doc["file"] == str(cfg)


def test_a_resolved_secret_is_scrubbed_from_a_document_whatever_json_escaping_makes_of_it():
    from restcli.app import App
    from restcli.commands.document import print_document

    secret = 'a"quoted\\secret-0123456789\u00e9'
    out = io.StringIO()
    app = App(stdout=out, stderr=io.StringIO(), stdout_tty=False, environ={})
    app.redactor.add(secret)
    print_document(app, {"value": f"before {secret} after", secret: [secret]})
    text = out.getvalue()
    doc = json.loads(text)
    assert secret not in text and json.dumps(secret)[1:-1] not in text
    assert "quoted" not in text
    assert doc["value"].startswith("before ") and doc["value"].endswith(" after")


def test_auth_status_json_never_shows_a_token(cli, profiles, monkeypatch, write_config):
    doc = one_document(cli("auth", "status", "custom", "--json"))
    assert doc["profile"] == "custom"
    assert doc["token"] == "env:ITEMS_TOKEN"
    assert doc["auth"].startswith("token")
    cfg = write_config('[profiles.lit]\nendpoint = "https://api.example.com"\nauth = "token"\n'
                       f'token = "{LITERAL_KEY}"\n', name="lit.toml")
    r = cli("--config", cfg, "auth", "status", "lit", "--json")
    assert one_document(r)["token"] == "(a literal value in the profile file)"
    assert LITERAL_KEY not in r.out


def test_config_check_json_lists_problems_and_still_exits_8(cli, write_config):
    cfg = write_config(
        """
        [profiles.a]
        endpoint = "https://api.example.com"
        timeout = "soon"
        [profiles.b]
        endpoint = "https://api.example.com"
        auth = "nonsense"
        """
    )
    r = cli("--config", cfg, "config", "check", "--json")
    assert r.code == 8
    doc = json.loads(r.stdout)
    assert doc["valid"] is False and doc["path"] == str(cfg) and doc["profiles"] == 2
    text = cli("--config", cfg, "config", "check")
    listed = [line.strip() for line in text.stderr.splitlines() if line.startswith("  ")]
    assert doc["problems"] == listed and len(listed) == 2
    assert "2 problems" in r.stderr


def test_config_check_json_ok(cli, profiles):
    doc = one_document(cli("config", "check", "--json"))
    assert doc == {"path": str(profiles), "valid": True, "profiles": 4, "problems": []}


def test_config_path_json(cli, tmp_path, profiles):
    assert one_document(cli("config", "path", "--json")) == {"path": str(profiles), "exists": True}
    missing = tmp_path / "none.toml"
    doc = one_document(cli("--config", missing, "config", "path", "--json"))
    assert doc == {"path": str(missing), "exists": False}


def test_import_dry_run_json_writes_nothing(cli, tmp_path, gateway):
    src = tmp_path / "amplify_outputs.json"
    src.write_text(json.dumps({
        "version": "1.3", "auth": {"aws_region": "us-east-1"},
        "custom": {"API": {"itemsApi": {"endpoint": f"{gateway.url}/iam/dev/", "region": "us-east-1"}}},
    }))
    cfg = tmp_path / "p.toml"
    doc = one_document(cli("--config", cfg, "import", src, "--dry-run", "--json"))
    assert not cfg.exists()
    assert doc["file"] == str(src) and doc["config"] == str(cfg)
    [planned] = doc["profiles"]
    assert planned["name"] == "itemsApi" and planned["action"] == "add"
    assert planned["settings"] == {"endpoint": f"{gateway.url}/iam/dev", "auth": "iam",
                                   "region": "us-east-1"}


def test_env_json_has_the_same_variables_as_the_export_lines(cli, write_config, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDJSONTEST00000001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "json/secret/key/0123456789")
    cfg = write_config('[profiles.sig]\nendpoint = "https://api.example.com"\nauth = "iam"\n'
                       'region = "eu-west-1"\n')
    doc = one_document(cli("--config", cfg, "env", "sig", "--json"))
    lines = cli("--config", cfg, "env", "sig").out.splitlines()
    assert [f"export {k}={v}" for k, v in doc.items()] == lines
    # Like the export lines, the document is the credentials themselves (its purpose).
    assert doc["AWS_SECRET_ACCESS_KEY"] == "json/secret/key/0123456789"
    assert doc["AWS_REGION"] == "eu-west-1"


def test_tables_on_a_narrow_terminal_never_cut_an_endpoint(terminal, write_config, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    cfg = write_config(f'[profiles.long]\nendpoint = "{LONG_ENDPOINT}"\nauth = "iam"\n'
                       '[profiles.short]\nendpoint = "https://api.example.com"\nauth = "none"\n')
    r = terminal("--config", cfg, "profiles", "list")
    assert r.code == 0, r.stderr
    rows = r.out.splitlines()
    assert any(LONG_ENDPOINT in row and "long" in row and "iam" in row for row in rows)
    assert "…" not in r.out
    # A table that fits stays as rich lays it out (no padding to a forced width).
    cfg.write_text('[profiles.s]\nendpoint = "https://a.example.com"\nauth = "none"\n')
    small = re.sub(r"\x1b\[[0-9;]*m", "", terminal("--config", cfg, "profiles", "list").out)
    assert "https://a.example.com" in small
    assert max(len(line) for line in small.splitlines()) < 40


def test_import_table_on_a_narrow_terminal_keeps_the_endpoint(terminal, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "50")
    src = tmp_path / "amplify_outputs.json"
    src.write_text(json.dumps({"version": "1.3", "auth": {"aws_region": "eu-central-1"},
                               "custom": {"API": {"itemsApi": {"endpoint": LONG_ENDPOINT}}}}))
    r = terminal("--config", tmp_path / "p.toml", "import", src, "--dry-run")
    assert r.code == 0, r.stderr
    assert LONG_ENDPOINT in r.out and "eu-central-1" in r.out and "…" not in r.out


def test_auth_status_json_of_a_signed_in_user_has_the_text_lines_and_no_token(
        cli, stdin, cognito_app, isolated):
    from tests.support.cognito_helpers import PASSWORD, entry, fields, login_args

    stdin(PASSWORD + "\n")
    assert cli(*login_args()).code == 0
    _, tokens = entry(isolated)
    r = cli("auth", "status", "app", "--json")
    doc = one_document(r)
    text = fields(cli("auth", "status", "app").out)
    assert doc == {key.replace(" ", "_"): value for key, value in text.items()}
    assert doc["signed_in_as"] == "alice" and doc["token_use"] == "id (sent in Authorization)"
    for secret in (tokens["id_token"], tokens["access_token"], tokens["refresh_token"]):
        assert secret not in r.out and secret[:20] not in r.out
    cli("logout", "app")
    r = cli("auth", "status", "app", "--json")
    assert r.code == 9 and r.stdout == b""  # not signed in: an error, no document


def test_profiles_list_escapes_control_characters_from_the_file(terminal, write_config,
                                                               monkeypatch):
    cfg = write_config('[profiles.evil]\nendpoint = "https://h.example/dev\\u001b[2K"\n'
                       'auth = "none"\n')
    monkeypatch.setenv("RESTCLI_CONFIG", str(cfg))
    for tty in (True, False):
        r = terminal("profiles", "list", tty=tty)
        assert b"\x1b[2K" not in r.stdout
        assert b"\\x1b[2K" in r.stdout
