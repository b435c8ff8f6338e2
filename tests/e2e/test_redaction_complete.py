"""Redaction is complete: cached tokens, literal sensitive headers, short secrets, corrupt
cache entries, --curl quoting, and no connection at all with --offline or --curl."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

from restcli.cognito.cache import Cache
from restcli.secrets import Redactor

POOL, CLIENT, USER = "us-east-1_abc", "client1", "alice"
ACCESS, ID, REFRESH = "acc-" + "a" * 40, "idt-" + "b" * 40, "ref-" + "c" * 40


def _cognito(write_config, endpoint, extra=""):
    return write_config(f"""
    [profiles.app]
    endpoint = "{endpoint}"
    auth = "cognito"
    user_pool_id = "{POOL}"
    client_id = "{CLIENT}"
    username = "{USER}"
    {extra}
    """)


def _cache(home, **fields):
    entry = {"access_token": ACCESS, "id_token": ID, "refresh_token": REFRESH,
             "expires_at": time.time() + 3600, "username": USER, "flow": "srp", **fields}
    Cache(root=home / ".cache" / "restcli" / "cognito").write(("tokens", POOL, CLIENT, USER), entry)


@pytest.mark.parametrize("flag", ["--offline", "--curl"])
def test_stale_cached_token_is_shown_as_is_without_any_connection(
    cli, write_config, gateway, isolated, monkeypatch, flag
):
    # Every AWS call would go to the gateway, which records whatever reaches it.
    monkeypatch.setenv("AWS_ENDPOINT_URL", gateway.url)
    path = _cognito(write_config, f"{gateway.url}/jwt/dev")
    _cache(isolated, expires_at=time.time() - 60)
    r = cli("--config", path, "get", "app", "/items", flag)
    assert r.code == 0, r.stderr
    assert gateway.received == []
    assert "expired" in r.stderr and "shown as it is" in r.stderr
    if flag == "--offline":
        assert "Authorization: idt-…" in r.out  # the stale token, masked as every secret
    else:
        assert ID not in r.out and "auth token app --id" in r.out


def test_cached_tokens_are_scrubbed_as_soon_as_read():
    from restcli.cognito.account import Account
    from restcli.cognito.keys import USER_POOL
    from restcli.config import Profile
    from restcli.params import ProfileValues

    r = Redactor()
    profile = Profile(name="app", endpoint="https://x", values={
        "user_pool_id": POOL, "client_id": CLIENT, "username": USER})
    home = os.environ["HOME"]
    from pathlib import Path

    _cache(Path(home))
    Account(ProfileValues(profile, USER_POOL, r)).cached()
    for token in (ACCESS, ID, REFRESH):
        assert token not in r.scrub(f"service said: bad token {token}")


@pytest.mark.parametrize("bad", [{"access_token": 5}, {"id_token": ["x"]},
                                 {"refresh_token": {"a": 1}}, {"expires_at": "soon"},
                                 {"expires_at": True}, {"username": 3}])
def test_wrong_typed_cache_entry_is_corrupt_and_ignored(cli, write_config, gateway, isolated, bad):
    path = _cognito(write_config, f"{gateway.url}/jwt/dev")
    _cache(isolated, **bad)
    r = cli("--config", path, "get", "app", "/items", "--offline")
    assert r.code == 9, r.stderr
    assert "corrupt token cache entry" in r.stderr
    assert "unexpected" not in r.stderr


def test_scrubber_never_raises_and_masks_short_secrets():
    r = Redactor()
    r.add("ab")
    r.add(123)  # not text: never a secret, never an error
    r.add("x\udcff-surrogate")
    assert r.scrub("value 'ab' refused; about tab") == "value '…' refused; about tab"
    assert "ab" not in r.scrub("header: ab")
    assert "surrogate" not in r.scrub("bad x\udcff-surrogate")


def test_literal_sensitive_headers_are_secrets(cli, write_config, gateway):
    path = write_config(f"""
    [profiles.p]
    endpoint = "{gateway.url}/open"
    auth = "token"
    token = "env:NOPE_UNUSED"
    header = "X-My-Token"
    [profiles.p.headers]
    Cookie = "session=literal-cookie-value"
    X-My-Token = "lit"
    """)
    r = cli("--config", path, "get", "p", "/x", "--curl", "--auth", "none")
    assert r.code == 0, r.stderr
    assert "literal-cookie-value" not in r.out and "${RESTCLI_SECRET_" in r.out
    assert "lit" not in r.out.replace("literal", "")
    assert "RESTCLI_SECRET_" in r.stderr


def test_curl_exports_env_names_bash_can_read(cli, write_config, gateway, monkeypatch, tmp_path):
    monkeypatch.setenv("MY-KEY", "k-value-1234")
    path = write_config(f"""
    [profiles.p]
    endpoint = "{gateway.url}/open"
    auth = "none"
    [profiles.p.headers]
    X-Secret = "env:MY-KEY"
    """)
    r = cli("--config", path, "get", "p", "/x", "--curl")
    assert r.code == 0, r.stderr
    assert "k-value-1234" not in r.out
    script = tmp_path / "s.sh"
    script.write_text('curl() { printf "%s\\n" "$@"; }\n' + r.out)
    out = subprocess.run(["bash", str(script)], capture_output=True, text=True, check=False,
                         env={**os.environ, "MY-KEY": "k-value-1234"}).stdout
    assert "X-Secret: k-value-1234" in out.splitlines()


def test_curl_exports_headers_command_as_the_argv_restcli_runs(cli, write_config, gateway, tmp_path):
    helper = tmp_path / "hdr with space.sh"
    helper.write_text("#!/bin/sh\necho \"X-From: got $1 $2\"\n")
    helper.chmod(0o755)
    path = write_config(f"""
    [profiles.p]
    endpoint = "{gateway.url}/open"
    auth = "none"
    headers_command = {json.dumps(f"'{helper}' a;b $HOME")}
    """)
    r = cli("--config", path, "get", "p", "/x", "--curl")
    assert r.code == 0, r.stderr
    script = tmp_path / "s.sh"
    script.write_text('curl() { for a in "$@"; do case $a in @*) cat "${a#@}";; esac; done; }\n'
                      + r.out)
    out = subprocess.run(["bash", str(script)], capture_output=True, text=True, check=False).stdout
    assert out.strip() == "X-From: got a;b $HOME"


@pytest.mark.parametrize("kind", ["fifo", "dev", "dir", "big"])
def test_file_references_only_regular_files_of_bounded_size(cli, write_config, gateway, tmp_path, kind):
    target = tmp_path / "secret"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "dev":
        target = "/dev/zero"
    elif kind == "dir":
        target.mkdir()
    else:
        target.write_bytes(b"x" * (64 * 1024 + 1))
    path = write_config(f"""
    [profiles.p]
    endpoint = "{gateway.url}/open"
    auth = "api_key"
    api_key = "file:{target}"
    """)
    r = cli("--config", path, "get", "p", "/x", "--offline")
    assert r.code == 9, r.stderr
    assert len(r.stderr.strip().splitlines()) <= 2
