"""The README's Amplify smoke test, run as written: sign in, create, read, assert, delete."""

from __future__ import annotations

import re
import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.support.cognito_helpers import PASSWORD

pytest_plugins = ["tests.support.cognito_fixtures"]

README = Path(__file__).resolve().parents[2] / "README.md"


def _block(kind: str, after: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(after)
    match = re.compile(rf"```{kind}\n(.*?)```", re.S).search(text, start)
    assert match, f"no ```{kind} block after {after!r} in the README"
    return match.group(1)


def test_readme_smoke_test_runs_as_written(cli, stdin, cognito_config, pool, jwt_gateway,
                                           tmp_path, monkeypatch):
    section = "### A smoke test for an Amplify app"
    cognito_config(pool, f"{jwt_gateway.url}/jwt/id", name="shop")
    (tmp_path / "smoke.hurl").write_text(_block("hurl", section))
    monkeypatch.chdir(tmp_path)
    login, run = [shlex.split(line.split("|")[-1]) for line in _block("sh", section).splitlines()]
    assert login[:2] == ["restcli", "login"] and run[:2] == ["restcli", "run"]
    user = login[login.index("--username") + 1]
    pool.add_user(user, PASSWORD)
    stdin(PASSWORD + "\n")
    r = cli(*login[1:])
    assert r.code == 0, r.stderr
    r = cli(*run[1:])
    assert r.code == 0, r.stderr
    orders = [rec for rec in jwt_gateway.received if "/orders" in rec.path]
    assert [rec.method for rec in orders] == ["POST", "GET", "DELETE", "GET"]
    assert all(rec.header("authorization") for rec in orders)
    report = ET.parse(tmp_path / "smoke.xml").getroot()
    assert len(report.findall(".//testcase")) == 1 and not report.findall(".//failure")


def test_jobs_share_one_signed_in_token_cache(cli, stdin, cognito_config, pool, jwt_gateway, moto,
                                              tmp_path):
    cognito_config(pool, f"{jwt_gateway.url}/jwt/id", name="shop")  # alice is in every pool
    stdin(PASSWORD + "\n")
    assert cli("login", "shop", "--username", "alice", "--password-stdin").code == 0
    moto.clear()
    files = []
    for i in range(4):
        path = tmp_path / f"f{i}.hurl"
        path.write_text(f"GET {{{{endpoint}}}}/job/{i}\nHTTP 200\n")
        files.append(path)
    r = cli("run", "--test", "--jobs", "4", *files, "--profile", "shop")
    assert r.code == 0, r.stderr
    assert len([rec for rec in jwt_gateway.received if "/job/" in rec.path]) == 4
    assert moto.count("InitiateAuth") == 0  # the cached token served every file
