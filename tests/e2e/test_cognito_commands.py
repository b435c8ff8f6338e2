"""`restcli login`, `logout`, `auth status`, `auth token`, RESTCLI_TOKEN, and the cache
under real processes: no terminal, parallel refreshes, and what a cached call imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.support.cognito_helpers import (
    PASSWORD,
    cache_dir,
    cache_entries,
    claims,
    entry,
    expire,
    fields,
    login_args,
)

pytest_plugins = ["tests.support.cognito_fixtures"]


@pytest.fixture
def app(cognito_config, pool, jwt_gateway):
    cognito_config(pool, f"{jwt_gateway.url}/jwt/id")
    return pool


def sign_in(cli, stdin):
    stdin(PASSWORD + "\n")
    r = cli(*login_args())
    assert r.code == 0, r.stderr
    return r


# -- logout ---------------------------------------------------------------------------------
def test_logout_revokes_warns_when_unsupported_and_removes_the_entry(cli, stdin, app, moto,
                                                                     isolated):
    sign_in(cli, stdin)
    _, data = entry(isolated)
    moto.clear()
    r = cli("logout", "app")
    assert r.code == 0
    revoke = [c.body for c in moto.calls if c.operation == "RevokeToken"]
    assert revoke == [{"Token": data["refresh_token"], "ClientId": app.client_id}]
    # moto has no RevokeToken (HTTP 500): a warning, and the tokens are gone anyway
    assert "warning: could not revoke the refresh token" in r.stderr
    assert data["refresh_token"] not in r.stderr
    assert cache_entries(isolated) == []
    assert cli("get", "app", "/items").code == 9


def test_logout_offline_still_removes_the_entry_quickly(cli, stdin, app, isolated, monkeypatch):
    sign_in(cli, stdin)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    start = time.monotonic()
    r = cli("logout", "app")
    assert time.monotonic() - start < 5
    assert r.code == 0
    assert "warning: could not reach Cognito" in r.stderr
    assert cache_entries(isolated) == []


def test_logout_everywhere_uses_global_sign_out(cli, stdin, app, moto, isolated):
    sign_in(cli, stdin)
    moto.clear()
    r = cli("logout", "app", "--everywhere")
    assert r.code == 0, r.stderr
    assert moto.count("GlobalSignOut") == 1 and moto.count("RevokeToken") == 0
    assert "warning" not in r.stderr
    assert cache_entries(isolated) == []


def test_logout_when_not_signed_in(cli, app):
    r = cli("logout", "app")
    assert r.code == 0
    assert "not signed in" in r.stderr


# -- status and token --------------------------------------------------------------------------
def test_status_shows_claims_and_never_a_token(cli, stdin, app, isolated):
    sign_in(cli, stdin)
    _, data = entry(isolated)
    r = cli("auth", "status", "app")
    assert r.code == 0, r.stderr
    out = r.out
    shown = fields(out)
    assert shown["signed in as"] == "alice"
    assert shown["token use"] == "id (sent in Authorization)"
    assert shown["scopes"] == "aws.cognito.signin.user.admin"
    assert sorted(shown["groups"].split(", ")) == ["admins", "editors"]
    assert shown["expires"].endswith(("(in 59 min)", "(in 60 min)"))
    assert shown["identity id"] == "(no identity_pool_id in the profile)"
    assert shown["cache"].startswith(str(cache_dir(isolated)))
    for secret in (data["id_token"], data["access_token"], data["refresh_token"]):
        assert secret not in out + r.stderr
        assert secret[:20] not in out


def test_status_of_expired_tokens_says_the_next_call_refreshes(cli, stdin, app, isolated):
    sign_in(cli, stdin)
    expire(isolated, seconds_left=-30)
    r = cli("auth", "status", "app")
    assert r.code == 0
    assert "the next call refreshes it" in r.out


def test_status_not_signed_in_exits_9(cli, app):
    r = cli("auth", "status", "app")
    assert r.code == 9
    assert "restcli login app" in r.stderr


def test_token_prints_only_the_token(cli, stdin, app, isolated):
    sign_in(cli, stdin)
    _, data = entry(isolated)
    r = cli("auth", "token", "app")
    assert r.code == 0 and r.stderr == ""
    assert r.out == data["id_token"] + "\n"
    assert cli("auth", "token", "app", "--access").out == data["access_token"] + "\n"
    assert claims(cli("auth", "token", "app", "--id").out.strip())["token_use"] == "id"
    assert cli("auth", "token", "app", "--id", "--access").code == 2


def test_token_is_fresh(cli, stdin, app, moto, isolated):
    sign_in(cli, stdin)
    before = expire(isolated, seconds_left=5)
    moto.clear()
    r = cli("auth", "token", "app")
    assert r.code == 0
    assert moto.count("InitiateAuth", "REFRESH_TOKEN_AUTH") == 1
    assert r.out.strip() != before["id_token"]


# -- tokens from outside (CI) ----------------------------------------------------------------------
def test_restcli_token_is_used_and_never_cached(cli, stdin, app, moto, jwt_gateway, isolated,
                                                monkeypatch):
    sign_in(cli, stdin)
    token = cli("auth", "token", "app").out.strip()
    cli("logout", "app")
    moto.clear()
    monkeypatch.setenv("RESTCLI_TOKEN", token)
    r = cli("get", "app", "/items")
    assert r.code == 0, r.stderr
    assert jwt_gateway.last.header("authorization") == token
    assert moto.count() == 0
    assert not list(cache_dir(isolated).glob("tokens-*.json"))
    status = cli("auth", "status", "app")
    shown = fields(status.out)
    assert shown["source"] == "RESTCLI_TOKEN (not cached)"
    assert shown["signed in as"] == "alice" and token not in status.out
    assert cli("auth", "token", "app").out == token + "\n"


def test_profile_token_reference_and_no_renewal_of_an_injected_token(
        cli, stdin, cognito_config, pool, jwt_gateway, moto, monkeypatch):
    cognito_config(pool, f"{jwt_gateway.url}/jwt/id")
    sign_in(cli, stdin)
    token = cli("auth", "token", "app").out.strip()
    cognito_config(pool, f"{jwt_gateway.url}/jwt/id", name="ci", token="env:CI_ID_TOKEN")
    monkeypatch.setenv("CI_ID_TOKEN", token)
    moto.clear()
    assert cli("get", "ci", "/items").code == 0
    assert jwt_gateway.last.header("authorization") == token
    r = cli("get", "ci", "/status/401", "times==1", "then==200")
    assert r.code == 4  # an injected token cannot be renewed: the 401 stands
    assert moto.count() == 0


# -- no terminal, processes, start-up --------------------------------------------------------------
def test_no_terminal_and_no_password_exits_9_without_hanging(run, app):
    start = time.monotonic()
    r = run("login", "app", "--username", "alice", timeout=20)  # stdin: /dev/null
    assert time.monotonic() - start < 15
    assert r.code == 9
    assert "--password-stdin" in r.stderr


def test_no_username_without_a_terminal_exits_9(run, app):
    r = run("login", "app", "--password-stdin", input=PASSWORD.encode())
    assert r.code == 9
    assert "--username" in r.stderr


def test_password_stdin_in_a_real_process(run, app, isolated):
    r = run(*login_args(), input=f"{PASSWORD}\n".encode())
    assert r.code == 0, r.stderr
    assert len(cache_entries(isolated)) == 1


def test_two_processes_refreshing_at_once_make_one_cognito_call(cli, stdin, app, moto, isolated):
    sign_in(cli, stdin)
    expire(isolated, seconds_left=5)
    moto.clear()
    moto.delays["InitiateAuth"] = 1.0  # both are waiting while the first refreshes
    procs = [
        subprocess.Popen([sys.executable, "-m", "restcli", "auth", "token", "app"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=30) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [e for _, e in outs]
    assert moto.count("InitiateAuth", "REFRESH_TOKEN_AUTH") == 1
    assert outs[0][0] == outs[1][0]  # both got the one refreshed token
    _, data = entry(isolated)
    assert data["id_token"] == outs[0][0].decode().strip()


def test_a_cached_call_imports_no_aws_sdk(cli, stdin, app, moto):
    # nor what the request path avoids for start-up (dataclasses, subprocess, difflib), nor
    # filelock (tempfile is not listed: requests imports it)
    sign_in(cli, stdin)
    moto.clear()
    code = (
        "import sys\n"
        "from restcli.__main__ import main\n"
        "rc = main(['get', 'app', '/items'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('boto3', 'botocore', 'pycognito', 'moto', 'dataclasses', 'subprocess', "
        "'difflib', 'filelock'))\n"
        "sys.stderr.write('RC=%d HEAVY=%r\\n' % (rc, heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=30)
    assert "RC=0 HEAVY=[]" in proc.stderr, proc.stderr
    assert moto.count() == 0


def test_login_needs_a_user_pool(cli, write_config, monkeypatch):
    cfg = write_config('[profiles.x]\nendpoint = "http://127.0.0.1:9"\nauth = "cognito"\n')
    r = cli("--config", cfg, "login", "x", "--username", "a", "--password-stdin")
    assert r.code == 8
    assert "user_pool_id" in r.stderr


# -- --curl ----------------------------------------------------------------------------------------
def test_curl_export_fetches_the_token_with_restcli(cli, stdin, app, jwt_gateway, isolated):
    import shutil

    if shutil.which("curl") is None:
        pytest.skip("no curl on this machine")
    sign_in(cli, stdin)
    _, data = entry(isolated)
    r = cli("get", "app", "/items", "--curl")
    assert r.code == 0, r.stderr
    command = r.out.strip()
    assert "auth token app --id)" in command
    assert data["id_token"] not in command and "RESTCLI_SECRET" not in command
    assert "literal secrets" not in r.stderr
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    proc = subprocess.run(["bash", "-c", command], capture_output=True, env=env, timeout=30,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["path"] == "/jwt/id/items"
    assert jwt_gateway.last.header("authorization") == data["id_token"]


def test_curl_export_of_restcli_token_names_the_variable(cli, app, monkeypatch):
    monkeypatch.setenv("RESTCLI_TOKEN", "injected-token-0123456789")
    r = cli("get", "app", "/items", "--curl")
    assert r.code == 0, r.stderr
    assert "${RESTCLI_TOKEN}" in r.out and "injected-token-0123456789" not in r.out


# -- status without secrets, stdin read line by line, import cost, unreachable Cognito ------
def _jwt(**payload) -> str:
    import base64

    def b64(obj) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'RS256', 'kid': 'k1'})}.{b64(payload)}.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"


def _injected_profile(write_config, monkeypatch, token: str) -> None:
    path = write_config(
        '[profiles.ci]\nendpoint = "http://127.0.0.1:9"\nauth = "cognito"\n'
        'user_pool_id = "us-east-1_Pool"\nclient_id = "c1"\n'
        f"token = {json.dumps(token)}\n"
    )
    monkeypatch.setenv("RESTCLI_CONFIG", str(path))


def test_status_never_prints_a_literal_profile_token(cli, write_config, monkeypatch):
    token = _jwt(**{"cognito:username": "ci-bot", "token_use": "id", "exp": time.time() + 600})
    _injected_profile(write_config, monkeypatch, token)
    r = cli("auth", "status", "ci")
    assert r.code == 0, r.stderr
    assert token not in r.out + r.stderr
    for part in token.split("."):  # not even a piece of it
        assert part not in r.out
    shown = fields(r.out)
    assert shown["source"] == "the profile's token key (a literal in the profiles file) (not cached)"
    assert shown["signed in as"] == "ci-bot"


def test_status_names_the_reference_of_a_profile_token(cli, write_config, monkeypatch):
    token = _jwt(**{"cognito:username": "ci-bot", "token_use": "id"})
    monkeypatch.setenv("CI_ID_TOKEN", token)
    _injected_profile(write_config, monkeypatch, "env:CI_ID_TOKEN")
    r = cli("auth", "status", "ci")
    assert r.code == 0, r.stderr
    assert fields(r.out)["source"] == "the profile's token key (env:CI_ID_TOKEN) (not cached)"
    assert token not in r.out


def test_status_lines_are_scrubbed_of_resolved_secrets(capsys):
    from restcli.app import App
    from restcli.commands import auth as commands

    app = App()
    app.redactor.add("s3cret-value-0123456789")
    commands._print(app, [("profile", "p"), ("oops", "x s3cret-value-0123456789 y")])
    out = capsys.readouterr().out
    assert "s3cret-value-0123456789" not in out
    assert fields(out)["oops"] == "x s3cr… y"


def test_password_stdin_does_not_wait_for_the_end_of_stdin(app, isolated):
    # A caller that writes the password and keeps the pipe open (a CI step, expect, a
    # credential helper) must not hang: only the first line is read.
    proc = subprocess.Popen(
        [sys.executable, "-m", "restcli", *login_args()],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        proc.stdin.write(f"{PASSWORD}\n".encode())
        proc.stdin.flush()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pytest.fail("restcli login --password-stdin waited for stdin to be closed")
        err = proc.stderr.read().decode()
        assert proc.returncode == 0, err
        assert len(cache_entries(isolated)) == 1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdin.close()
        proc.stdout.close()
        proc.stderr.close()


class _LinesOnly:
    """A stdin whose end never comes: readline() works, read() would block forever."""

    def __init__(self, text: str):
        import io

        self._buf = io.StringIO(text)

    def readline(self, *args):
        return self._buf.readline(*args)

    def read(self, *args):
        raise AssertionError("stdin read to its end")

    def isatty(self):
        return False


def test_stdin_lines_keep_spaces_and_drop_only_the_line_ending():
    from restcli.app import App
    from restcli.commands import auth as commands

    stdin = _LinesOnly(" pass word \r\nnew\tpass \nnot read\n")
    assert commands._read_stdin_lines(App(stdin=stdin), 2) == [" pass word ", "new\tpass "]
    assert stdin.readline() == "not read\n"  # left for whoever reads next
    assert commands._read_stdin_lines(App(stdin=_LinesOnly("only\n")), 2) == ["only", ""]
    assert commands._read_stdin_lines(App(stdin=_LinesOnly("no newline")), 1) == ["no newline"]


def test_login_reads_one_line_without_new_password_stdin(cli, monkeypatch, app):
    # Without --new-password-stdin, a second readline() would wait on an open pipe.
    stdin = _LinesOnly(f"{PASSWORD}\nkept for the next reader\n")
    monkeypatch.setattr(sys, "stdin", stdin)
    assert cli(*login_args()).code == 0
    assert stdin.readline() == "kept for the next reader\n"


def test_auth_commands_import_no_dataclasses(write_config, monkeypatch):
    _injected_profile(write_config, monkeypatch, "env:CI_ID_TOKEN")
    code = (
        "import sys\n"
        "from restcli.__main__ import main\n"
        "rc = main(['auth', 'status', 'ci'])\n"
        "import restcli.commands.auth\n"
        "sys.stderr.write('RC=%d DC=%r\\n' % (rc, 'dataclasses' in sys.modules))\n"
    )
    env = {**os.environ, "CI_ID_TOKEN": _jwt(token_use="id")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=30, env=env)
    assert "RC=0 DC=False" in proc.stderr, proc.stderr


def test_unreachable_cognito_at_login_exits_9_through_the_one_translation(
        cli, stdin, app, monkeypatch):
    from restcli.cognito import awsjson

    seen = []
    real = awsjson.unreachable

    def spy(e, doing, *args):
        seen.append(doing)
        return real(e, doing, *args)

    monkeypatch.setattr(awsjson, "unreachable", spy)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    stdin(PASSWORD + "\n")
    r = cli(*login_args())
    assert r.code == 9
    assert "cannot sign in for profile 'app': cannot connect to 127.0.0.1:9: connection refused" in r.stderr
    assert "hint: check the network" in r.stderr
    assert seen == ["sign in for profile 'app'"]
