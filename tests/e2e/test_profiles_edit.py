"""profiles add/set/unset/remove/rename: validated, atomic, .bak kept, mode kept, locked."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tomllib


def _doc(path):
    return tomllib.loads(path.read_text())


def test_add_creates_0600_file(cli, tmp_path, gateway, monkeypatch):
    cfg = tmp_path / "new" / "profiles.toml"
    r = cli("--config", cfg, "profiles", "add", "items", "--endpoint", f"{gateway.url}/key",
            "--auth", "api_key", "--set", "api_key=env:ITEMS_KEY", "--set", "timeout=5",
            "--set", "headers.X-Team=blue")
    assert r.code == 0, r.stderr
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert _doc(cfg) == {"profiles": {"items": {
        "endpoint": f"{gateway.url}/key", "auth": "api_key", "api_key": "env:ITEMS_KEY",
        "timeout": 5, "headers": {"X-Team": "blue"}}}}
    monkeypatch.setenv("ITEMS_KEY", "test-api-key-0123456789abcdef")
    assert cli("--config", cfg, "get", "items", "/x").code == 0
    assert gateway.last.header("x-team") == "blue"


def test_set_unset_rename_remove(cli, write_config):
    cfg = write_config('[profiles.a]\nendpoint = "http://127.0.0.1:1/a"\n')
    assert cli("--config", cfg, "profiles", "set", "a", "retries", "4").code == 0
    assert _doc(cfg)["profiles"]["a"]["retries"] == 4
    assert cli("--config", cfg, "profiles", "set", "a", "headers.X-A", "1").code == 0
    assert cli("--config", cfg, "profiles", "unset", "a", "headers.X-A").code == 0
    assert "headers" not in _doc(cfg)["profiles"]["a"]
    assert cli("--config", cfg, "profiles", "unset", "a", "retries").code == 0
    assert "retries" not in _doc(cfg)["profiles"]["a"]
    assert cli("--config", cfg, "profiles", "rename", "a", "b").code == 0
    assert list(_doc(cfg)["profiles"]) == ["b"]
    assert cli("--config", cfg, "profiles", "remove", "b").code == 0
    assert _doc(cfg)["profiles"] == {}


def test_invalid_edits_refused_file_untouched(cli, write_config):
    cfg = write_config('[profiles.a]\nendpoint = "http://127.0.0.1:1/a"\n')
    before = cfg.read_bytes()
    cases = [
        (("profiles", "set", "a", "tmeout", "5"), 8, "did you mean 'timeout'"),
        (("profiles", "set", "a", "auth", "kerberos"), 8, "unknown auth mode"),
        (("profiles", "set", "a", "endpoint", "ftp://x"), 8, "http(s) URL"),
        (("profiles", "set", "a", "timeout", "soon"), 2, "takes a number"),
        (("profiles", "set", "nope", "timeout", "1"), 8, "no profile 'nope'"),
        (("profiles", "add", "a", "--endpoint", "http://x"), 8, "exists"),
        (("profiles", "rename", "a", "a"), 8, "exists"),
        (("profiles", "unset", "a", "retries"), 8, "no key"),
    ]
    for args, code, text in cases:
        r = cli("--config", cfg, *args)
        assert r.code == code, (args, r.stderr)
        assert text in r.stderr, (args, r.stderr)
        assert cfg.read_bytes() == before
    assert not os.path.exists(f"{cfg}.bak")


def test_literal_secret_refused_unless_literal(cli, write_config):
    cfg = write_config('[profiles.a]\nendpoint = "http://127.0.0.1:1/a"\nauth = "token"\n')
    r = cli("--config", cfg, "profiles", "set", "a", "token", "abc123secret")
    assert r.code == 2
    assert "env:NAME" in r.stderr
    assert "abc123secret" not in cfg.read_text()
    r = cli("--config", cfg, "profiles", "set", "a", "headers.Authorization", "abc123secret")
    assert r.code == 2
    assert cli("--config", cfg, "profiles", "set", "a", "token", "env:TOK").code == 0
    assert cli("--config", cfg, "profiles", "set", "a", "token", "abc", "--literal").code == 0


def test_bak_mode_and_comments_kept(cli, write_config):
    original = '# my notes\n[profiles.a]  # the main one\nendpoint = "http://127.0.0.1:1/a"\n'
    cfg = write_config(original, mode=0o640)
    r = cli("--config", cfg, "profiles", "set", "a", "timeout", "9")
    assert r.code == 0
    assert cfg.read_text() == original + "timeout = 9\n"
    bak = cfg.with_name(cfg.name + ".bak")
    assert bak.read_text() == original
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o640
    assert stat.S_IMODE(bak.stat().st_mode) == 0o640
    r = cli("--config", cfg, "profiles", "set", "a", "timeout", "10")
    assert "comments" not in r.stderr
    assert "timeout = 9" in bak.read_text()


def test_hash_inside_a_string_is_not_a_comment(cli, write_config):
    cfg = write_config('[profiles.a]\nendpoint = "http://127.0.0.1:1/a#x"\n'.replace("#x", ""))
    cfg.write_text('[profiles.a]\nendpoint = "http://127.0.0.1:1/a"\nheaders = { X-Tag = "#1" }\n')
    r = cli("--config", cfg, "profiles", "set", "a", "timeout", "9")
    assert r.code == 0
    assert "comments" not in r.stderr


def test_concurrent_edits_lose_nothing(write_config):
    cfg = write_config('[profiles.seed]\nendpoint = "http://127.0.0.1:1/a"\n')
    script = (
        "import sys\nfrom restcli.__main__ import main\n"
        "for i in range(8):\n"
        "    assert main(['--config', sys.argv[1], 'profiles', 'add', f'{sys.argv[2]}{i}',"
        " '--endpoint', 'http://127.0.0.1:1/x']) == 0\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(cfg), prefix], stderr=subprocess.PIPE)
        for prefix in ("p", "q", "r")
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    names = set(_doc(cfg)["profiles"])
    assert names == {"seed"} | {f"{p}{i}" for p in "pqr" for i in range(8)}


def test_paginate_keys_are_set_added_and_unset(cli, write_config):
    cfg = write_config('[profiles.a]\nendpoint = "http://127.0.0.1:1/a"\n')
    assert cli("--config", cfg, "profiles", "set", "a", "paginate.next", "nextToken").code == 0
    assert cli("--config", cfg, "profiles", "set", "a", "paginate.param", "nt").code == 0
    assert _doc(cfg)["profiles"]["a"]["paginate"] == {"next": "nextToken", "param": "nt"}
    assert cfg.read_text().endswith('\npaginate = { next = "nextToken", param = "nt" }\n')
    assert cli("--config", cfg, "profiles", "unset", "a", "paginate.param").code == 0
    assert _doc(cfg)["profiles"]["a"]["paginate"] == {"next": "nextToken"}
    assert cli("--config", cfg, "profiles", "unset", "a", "paginate").code == 0
    assert "paginate" not in cfg.read_text()
    r = cli("--config", cfg, "profiles", "add", "b", "--endpoint", "http://127.0.0.1:1/b",
            "--set", "paginate.next=meta.next", "--set", "paginate.param=cursor")
    assert r.code == 0, r.stderr
    assert _doc(cfg)["profiles"]["b"]["paginate"] == {"next": "meta.next", "param": "cursor"}


def test_paginate_as_a_whole_table(cli, write_config):
    # One command sets both keys: next = "meta.next" alone is refused (it needs a param).
    cfg = write_config('[profiles.a]\nendpoint = "http://127.0.0.1:1/a"\n')
    r = cli("--config", cfg, "profiles", "set", "a", "paginate",
            '{ next = "meta.next", param = "cursor" }')
    assert r.code == 0, r.stderr
    assert _doc(cfg)["profiles"]["a"]["paginate"] == {"next": "meta.next", "param": "cursor"}
    before = cfg.read_bytes()
    r = cli("--config", cfg, "profiles", "set", "a", "paginate", "meta.next")
    assert r.code == 2 and "paginate takes a table" in r.stderr and "paginate.KEY" in r.stderr
    r = cli("--config", cfg, "profiles", "set", "a", "headers", '{ Authorization = "abc" }')
    assert r.code == 2 and "literal secret" in r.stderr
    assert cfg.read_bytes() == before


def test_paginate_edits_are_validated(cli, write_config):
    cfg = write_config('[profiles.a]\nendpoint = "http://127.0.0.1:1/a"\n')
    before = cfg.read_bytes()
    cases = [
        (("set", "a", "paginate.next", "meta.next"), "needs param"),
        (("set", "a", "paginate.nxt", "x"), "unknown key 'nxt'"),
        (("set", "a", "paginate.param", "a&b"), "needs next"),
        (("unset", "a", "paginate.param"), "no paginate key 'param'"),
    ]
    for args, text in cases:
        r = cli("--config", cfg, "profiles", *args)
        assert r.code == 8, (args, r.stderr)
        assert text in r.stderr, (args, r.stderr)
        assert cfg.read_bytes() == before
