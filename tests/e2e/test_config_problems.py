"""One invalid profile does not stop the others; hostile inputs
(deep TOML, malformed Amplify files) get their documented code and one line."""

from __future__ import annotations

import json

import pytest

from restcli.config import _key_lines

TWO_BAD = """
[profiles.good]
endpoint = "{url}/open"
auth = "none"

[profiles.bad1]
endpoint = "ftp://nope"

[profiles.bad2]
endpoint = "{url}/x"
auth = "kerberos"
"""


def test_a_call_uses_its_profile_and_warns_once_about_the_others(cli, write_config, gateway):
    cfg = write_config(TWO_BAD.format(url=gateway.url))
    r = cli("--config", cfg, "get", "good", "/items")
    assert r.code == 0, r.stderr
    assert r.stderr.splitlines() == [
        "restcli: warning: 2 other profiles have problems; run restcli config check"
    ]


def test_the_broken_profile_itself_is_exit_8(cli, write_config, gateway):
    cfg = write_config(TWO_BAD.format(url=gateway.url))
    r = cli("--config", cfg, "get", "bad2", "/items")
    assert r.code == 8
    assert "kerberos" in r.stderr and "bad1" not in r.stderr


def test_config_check_reports_everything(cli, write_config, gateway):
    cfg = write_config(TWO_BAD.format(url=gateway.url))
    r = cli("--config", cfg, "config", "check")
    assert r.code == 8
    assert "profiles.bad1.endpoint" in r.stderr and "profiles.bad2.auth" in r.stderr


def test_a_broken_profile_named_empty_is_still_only_its_own_problem(cli, write_config, gateway):
    # The empty name is a valid TOML key; it must not be taken for the file-wide scope.
    cfg = write_config(TWO_BAD.format(url=gateway.url) + '\n[profiles.""]\nauth = "kerberos"\n')
    r = cli("--config", cfg, "get", "good", "/items")
    assert r.code == 0, r.stderr
    assert "3 other profiles have problems" in r.stderr
    assert cli("--config", cfg, "get", "", "/items").code == 8


def test_bad_defaults_stop_every_call(cli, write_config, gateway):
    cfg = write_config(f'[defaults]\ntimeout = "x"\n[profiles.good]\nendpoint = "{gateway.url}/open"\n'
                       'auth = "none"\n')
    r = cli("--config", cfg, "get", "good", "/items")
    assert r.code == 8 and "defaults.timeout" in r.stderr


def test_toml_syntax_error_stops_everything(cli, write_config, gateway):
    cfg = write_config(TWO_BAD.format(url=gateway.url) + "\n[profiles.x\n")
    r = cli("--config", cfg, "get", "good", "/items")
    assert r.code == 8 and "invalid TOML" in r.stderr


def test_edit_of_a_good_profile_beside_a_bad_one(cli, write_config, gateway):
    cfg = write_config(TWO_BAD.format(url=gateway.url))
    r = cli("--config", cfg, "profiles", "set", "good", "timeout", "3")
    assert r.code == 0, r.stderr
    r = cli("--config", cfg, "profiles", "set", "good", "timeout", "0")
    assert r.code == 8 and "profiles.good.timeout" in r.stderr


@pytest.mark.parametrize("text", ["a = " + "[" * 5000 + "]" * 5000,
                                  "a = " + "{b=" * 5000 + "}" * 5000])
def test_deeply_nested_toml_is_exit_8(cli, write_config, text):
    cfg = write_config(text)
    r = cli("--config", cfg, "config", "check")
    assert r.code == 8 and len(r.stderr.splitlines()) == 1


def test_line_finder_handles_long_lines():
    # Linear: each of these took seconds to minutes with a backtracking pattern.
    for line in ["[" + " " * 5000, "[a" + " " * 5000 + "b", "a" + " " * 5000, "a." * 2500]:
        _key_lines(line + "\n" + line)
    assert _key_lines('[ profiles . "b c" ]  # x\nkey = 1\n') == {
        (("profiles", "b c"), None): 1, (("profiles", "b c"), "key"): 2}


def test_problem_lines_named_in_a_long_file(cli, write_config):
    cfg = write_config("[profiles.a]\n" + "# " + "x" * 5000 + "\nendpoint = 'ftp://x'\n")
    r = cli("--config", cfg, "config", "check")
    assert r.code == 8 and f"{cfg}:3:" in r.stderr


@pytest.mark.parametrize("name,content", [
    ("amplify_outputs.json", json.dumps({"auth": "us-east-1", "custom": {}})),
    ("amplify_outputs.json", json.dumps({"custom": ["API"]})),
    ("amplify_outputs.json", json.dumps({"custom": {"API": {"a": {"endpoint": "https://x",
                                                                  "region": 5}}}})),
    ("aws-exports.json", json.dumps({"aws_user_pools_id": "us-east-1_a",
                                     "aws_cloud_logic_custom": [{"name": 7, "endpoint": "https://x"}]})),
    ("aws-exports.json", json.dumps({"aws_user_pools_id": "us-east-1_a",
                                     "aws_cloud_logic_custom": {"name": "a"}})),
    ("aws-exports.js", b"const c = { name: '\xff\xfe' }; export default c;"),
    ("amplify_outputs.json", "[" * 100000 + "]" * 100000),
    ("aws-exports.js", "const c = " + "{a:" * 100000 + "1" + "}" * 100000 + ";"),
    ("amplifyconfiguration.json", json.dumps({"api": {"plugins": {"awsAPIPlugin": []}}})),
])
def test_malformed_amplify_files_are_exit_8_in_one_line(cli, tmp_path, name, content):
    src = tmp_path / name
    if isinstance(content, bytes):
        src.write_bytes(content)
    else:
        src.write_text(content)
    r = cli("--config", tmp_path / "p.toml", "import", src)
    assert r.code == 8, r.stderr
    assert "unexpected" not in r.stderr
    assert len(r.stderr.strip().splitlines()) <= 2  # the error, and a hint at most


def test_imported_name_with_control_characters_is_refused(cli, tmp_path):
    src = tmp_path / "amplify_outputs.json"
    src.write_text(json.dumps({"custom": {"API": {"a\x1b[2Kb": {"endpoint": "https://x.example.com"}}}}))
    r = cli("--config", tmp_path / "p.toml", "import", src)
    assert r.code == 8 and "\x1b" not in r.stderr and "\\x1b" in r.stderr
