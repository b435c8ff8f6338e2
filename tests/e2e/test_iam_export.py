"""--curl and `restcli env` for iam: the printed commands run against the SigV4 gateway."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")

AKID = "AKIDEXPORTTEST000001"
SECRET = "export/secret/key/0123456789abcdefghijkl"
TOKEN = "export-session-token-abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def iam_profile(write_config, gateway, monkeypatch):
    gateway.credentials = {AKID: (SECRET, TOKEN)}
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", AKID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    return write_config(
        f'[profiles.sig]\nendpoint = "{gateway.url}/iam/dev"\nauth = "iam"\nregion = "us-east-1"\n'
    )


def _bash(command: str, env: dict):
    proc = subprocess.run(["bash", "-c", command], capture_output=True, timeout=30, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_iam_curl_runs_with_curls_own_signer(cli, iam_profile, gateway):
    r = cli("--config", iam_profile, "get", "sig", "/items", "b==2", "a==1", "X-Extra:x", "--curl")
    assert r.code == 0, r.stderr
    command = r.out.strip()
    assert "--aws-sigv4 'aws:amz:us-east-1:execute-api'" in command
    assert '"${AWS_ACCESS_KEY_ID}:${AWS_SECRET_ACCESS_KEY}"' in command
    assert SECRET not in command and TOKEN not in command
    assert "?a=1&b=2" in command  # sorted for curl's signer
    echo = json.loads(_bash(command, dict(os.environ)))
    assert echo["principal"] == AKID
    assert gateway.last.header("x-amz-security-token") == TOKEN


def test_iam_curl_with_escapes_in_path_warns(cli, iam_profile):
    r = cli("--config", iam_profile, "get", "sig", "/a%2Fb", "--curl")
    assert r.code == 0
    assert "restcli env sig" in r.stderr


def test_env_exports_credentials_usable_by_curl(cli, iam_profile, gateway):
    r = cli("--config", iam_profile, "env", "sig")
    assert r.code == 0, r.stderr
    lines = r.out.splitlines()
    assert f"export AWS_ACCESS_KEY_ID={AKID}" in lines
    assert "export AWS_REGION=us-east-1" in lines
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    command = (
        r.out + f"curl -sS --aws-sigv4 aws:amz:$AWS_REGION:execute-api "
        f'--user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" '
        f'-H "X-Amz-Security-Token: $AWS_SESSION_TOKEN" {gateway.url}/iam/dev/x'
    )
    assert json.loads(_bash(command, env))["principal"] == AKID


def test_env_refuses_modes_without_exportable_credentials(cli, profiles):
    r = cli("env", "keyed")
    assert r.code == 2
    assert "no credentials to export" in r.stderr
