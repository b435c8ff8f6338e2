"""`config check`: every problem of the file, the JMESPath of paginate.next included, and
with --json one document whatever went wrong (a missing or unreadable file too)."""

from __future__ import annotations

import json
import subprocess
import sys

BAD_NEXT = """
[profiles.a]
endpoint = "http://127.0.0.1:1/a"
auth = "none"
paginate = { next = "items[", param = "page" }
"""


def test_a_bad_paginate_expression_is_a_config_problem(cli, write_config):
    cfg = write_config(BAD_NEXT)
    r = cli("--config", cfg, "config", "check")
    assert r.code == 8
    assert (f"  {cfg}:5: profiles.a.paginate.next: invalid JMESPath 'items[': "
            "unexpected end of expression at position 6") in r.stderr.splitlines()
    doc = json.loads(cli("--config", cfg, "config", "check", "--json").stdout)
    assert doc["valid"] is False and len(doc["problems"]) == 1
    assert "profiles.a.paginate.next: invalid JMESPath" in doc["problems"][0]


def test_every_way_of_writing_paginate_is_compiled(cli, write_config):
    cfg = write_config("""
        [defaults]
        paginate = { next = "a..b", param = "p" }
        [profiles.a]
        endpoint = "http://127.0.0.1:1/a"
        [profiles.a.paginate]
        next = "x[?"
        param = "p"
        [profiles.b]
        endpoint = "http://127.0.0.1:1/b"
        paginate.next = "meta.next"
        paginate.param = "p"
        """)
    problems = json.loads(cli("--config", cfg, "config", "check", "--json").stdout)["problems"]
    assert [p.split(": ")[1] for p in problems] == ["defaults.paginate.next",
                                                    "profiles.a.paginate.next"]


def test_a_good_expression_passes_and_a_call_still_checks_its_own(cli, write_config):
    cfg = write_config(BAD_NEXT.replace('"items["', '"meta.next"'))
    assert cli("--config", cfg, "config", "check").code == 0
    cfg = write_config(BAD_NEXT)
    # Only config check compiles expressions ahead: a call compiles its own when it pages.
    assert cli("--config", cfg, "get", "a", "/x", "--offline").code == 0
    r = cli("--config", cfg, "get", "a", "/x", "--paginate", "--offline")
    assert r.code == 2 and "paginate.next 'items['" in r.stderr


def test_only_config_check_imports_jmespath(write_config):
    cfg = write_config(BAD_NEXT.replace('"items["', '"meta.next"'))
    code = (
        "import sys\n"
        "from restcli.__main__ import main\n"
        "rc = main(['--config', sys.argv[1], *sys.argv[2:]])\n"
        "sys.stderr.write('RC=%d JMESPATH=%r\\n' % (rc, 'jmespath' in sys.modules))\n"
    )
    for args, loaded in ((["profiles", "list"], False), (["get", "a", "/x", "--offline"], False),
                         (["config", "check"], True)):
        proc = subprocess.run([sys.executable, "-c", code, str(cfg), *args], capture_output=True,
                              text=True, stdin=subprocess.DEVNULL, timeout=60)
        assert f"RC=0 JMESPATH={loaded}" in proc.stderr, (args, proc.stderr)


def _one_document(r) -> dict:
    doc = json.loads(r.stdout)  # exactly one document: json.loads refuses anything after it
    assert set(doc) == {"path", "valid", "profiles", "problems"}
    return doc


def test_json_for_a_toml_syntax_error(cli, write_config):
    cfg = write_config("[profiles.a\nendpoint = 1\n")
    r = cli("--config", cfg, "config", "check", "--json")
    assert r.code == 8
    doc = _one_document(r)
    assert doc["path"] == str(cfg) and doc["valid"] is False and doc["profiles"] == 0
    assert len(doc["problems"]) == 1 and doc["problems"][0].startswith(f"{cfg}: invalid TOML:")


def test_json_for_a_missing_file(cli, tmp_path):
    missing = tmp_path / "none.toml"
    r = cli("--config", missing, "config", "check", "--json")
    assert r.code == 8 == cli("--config", missing, "config", "check").code
    assert _one_document(r) == {"path": str(missing), "valid": False, "profiles": 0,
                                "problems": [f"no config file at {missing}"]}
    assert "config init" in r.stderr


def test_json_for_a_file_that_cannot_be_read(cli, tmp_path):
    folder = tmp_path / "profiles.toml"
    folder.mkdir()
    r = cli("--config", folder, "config", "check", "--json")
    assert r.code == 8
    doc = _one_document(r)
    assert doc["valid"] is False and doc["problems"][0].startswith(f"cannot read {folder}")
