"""The iam mode through the real CLI against the test gateway's SigV4 routes (/iam/...).

The gateway verifies every signature with its own implementation (tests/support/sigv4_verify.py).
"""

from __future__ import annotations

import hashlib
import os
import re
import textwrap
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.gateway import Gateway

KEY, SECRET, TOKEN = "AKIDE2ETEST", "e2e/secret+key=", "e2e-session-token-0123456789abcdef"
AUTH_HEADERS = ("authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256")


@pytest.fixture
def env_creds(monkeypatch, gateway):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    gateway.credentials = {KEY: (SECRET, TOKEN)}
    return gateway


@pytest.fixture
def iam_config(write_config, gateway):
    return write_config(
        f"""
        [defaults]
        timeout = 5

        [profiles.api]
        endpoint = "{gateway.url}/iam"
        region = "us-east-1"

        [profiles.noregion]
        endpoint = "{gateway.url}/iam"

        [profiles.open]
        endpoint = "{gateway.url}/iam"
        auth = "none"
        """
    )


def aws_files(config: str = "", creds: str = "") -> None:
    path = Path(os.environ["AWS_CONFIG_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(config))
    Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).write_text(textwrap.dedent(creds))


def credential_key(received) -> str:
    return received.header("authorization").split("Credential=")[1].split("/")[0]


def signed_headers(received) -> list[str]:
    return received.header("authorization").split("SignedHeaders=")[1].split(",")[0].split(";")


# -- credentials --------------------------------------------------------------------


def test_environment_credentials_with_session_token(cli, iam_config, env_creds):
    r = cli("--config", iam_config, "get", "api", "/items/1", "q==a b")
    assert r.code == 0, r.stderr
    echo = r.json()
    assert echo["principal"] == KEY
    assert echo["path"] == "/iam/items/1" and echo["query"] == [["q", "a b"]]
    got = env_creds.last
    assert got.header("x-amz-security-token") == TOKEN
    assert "x-amz-security-token" in signed_headers(got)
    assert "/us-east-1/execute-api/aws4_request" in got.header("authorization")


def test_named_aws_profile_from_the_profile_and_per_call(cli, write_config, gateway):
    gateway.credentials = {"AKIDDEV": ("devsecret", None), "AKIDOPS": ("opssecret", None)}
    aws_files(
        config="[profile dev]\nregion = us-east-1\n[profile ops]\nregion = us-east-1\n",
        creds="[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = devsecret\n"
        "[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = opssecret\n",
    )
    config = write_config(
        f"""
        [profiles.api]
        endpoint = "{gateway.url}/iam"
        aws_profile = "dev"
        """
    )
    r = cli("--config", config, "get", "api", "/who")
    assert r.code == 0, r.stderr
    assert r.json()["principal"] == "AKIDDEV"  # region from the AWS profile, too
    r = cli("--config", config, "get", "api", "/who", "--aws-profile", "ops")
    assert r.code == 0, r.stderr
    assert r.json()["principal"] == "AKIDOPS"
    assert gateway.last.header("x-amz-security-token") is None


def test_credentials_refreshed_between_retries(cli, iam_config, gateway, tmp_path):
    """A credential_process that hands out short-lived keys: each attempt gets fresh ones."""
    counter = tmp_path / "count"
    helper = tmp_path / "helper.sh"
    expiry = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    helper.write_text(
        textwrap.dedent(
            f"""\
            #!/bin/sh
            n=$(( $(cat {counter} 2>/dev/null || echo 0) + 1 ))
            echo $n > {counter}
            printf '{{"Version": 1, "AccessKeyId": "ASIAGEN%04d", "SecretAccessKey": "s%d",'  $n $n
            printf ' "SessionToken": "t%d", "Expiration": "{expiry}"}}' $n
            """
        )
    )
    helper.chmod(0o755)
    aws_files(config=f"[profile short]\ncredential_process = {helper}\n")
    gateway.credentials = {f"ASIAGEN{n:04d}": (f"s{n}", f"t{n}") for n in range(1, 20)}
    r = cli(
        "--config", iam_config, "get", "api", "/status/503", "times==1", "then==200",
        "--aws-profile", "short",
    )
    assert r.code == 0, r.stderr
    first, second = gateway.received[-2:]
    assert first.target == second.target
    # both attempts passed the signature check; the second with newer credentials
    assert credential_key(first) != credential_key(second)
    assert r.json()["principal"] == credential_key(second)


def test_missing_credentials_exit_9(cli, iam_config):
    r = cli("--config", iam_config, "get", "api", "/items")
    assert r.code == 9
    assert "no AWS credentials" in r.stderr
    assert "aws configure" in r.stderr and "aws sso login" in r.stderr
    assert "AWS_ACCESS_KEY_ID" in r.stderr


def test_unknown_aws_profile_exit_9(cli, iam_config):
    aws_files(config="[profile known]\nregion = us-east-1\n")
    r = cli("--config", iam_config, "get", "api", "/items", "--aws-profile", "nope")
    assert r.code == 9
    assert "'nope'" in r.stderr and "known" in r.stderr


def test_sso_not_logged_in_exit_9(cli, iam_config):
    aws_files(
        config="""
        [profile corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = us-east-1
        sso_account_id = 123456789012
        sso_role_name = Dev
        region = us-east-1
        """
    )
    r = cli("--config", iam_config, "get", "api", "/items", "--aws-profile", "corp")
    assert r.code == 9
    assert "aws sso login --profile corp" in r.stderr


# -- region -------------------------------------------------------------------------


def test_no_region_exit_8_naming_the_profile(cli, iam_config, env_creds):
    r = cli("--config", iam_config, "get", "noregion", "/items")
    assert r.code == 8
    assert "'noregion'" in r.stderr and "region" in r.stderr
    assert not env_creds.received  # nothing was sent


def test_region_from_the_environment(cli, iam_config, env_creds, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    r = cli("--config", iam_config, "get", "noregion", "/items")
    assert r.code == 0, r.stderr


def test_wrong_region_is_refused_by_the_gateway(cli, iam_config, env_creds, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    r = cli("--config", iam_config, "get", "noregion", "/items")
    assert r.code == 4
    assert "InvalidSignatureException" in r.stderr
    assert "region" in r.stderr


# -- answers from the gateway and their hints ---------------------------------------


def test_wrong_secret(cli, iam_config, env_creds, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    r = cli("--config", iam_config, "get", "api", "/items")
    assert r.code == 4
    assert "InvalidSignatureException" in r.stderr
    assert "not-the-secret" not in r.stderr + r.out


@pytest.mark.parametrize(
    "skew, message", [(10, "Signature expired"), (-10, "Signature not yet current")]
)
def test_clock_skew_hint(cli, iam_config, env_creds, skew, message):
    env_creds.clock = lambda: datetime.now(UTC) + timedelta(minutes=skew)
    r = cli("--config", iam_config, "get", "api", "/items")
    assert r.code == 4
    assert message in r.out
    assert "check this machine's clock" in r.stderr


def test_expired_token_hint(cli, iam_config, env_creds):
    message = "The security token included in the request is expired"
    r = cli("--config", iam_config, "get", "api", "/status/403", f"message=={message}")
    assert r.code == 4
    assert "log in again" in r.stderr


# -- per-call auth ------------------------------------------------------------------


def test_auth_iam_per_call_on_another_profile(cli, iam_config, env_creds, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    r = cli("--config", iam_config, "get", "open", "/items", "--auth", "iam")
    assert r.code == 0, r.stderr
    assert r.json()["principal"] == KEY


def test_auth_none_on_an_iam_profile_sends_nothing_signed(cli, iam_config, gateway):
    # no credentials at all: an unsigned call must not need them
    r = cli("--config", iam_config, "get", "api", "/items", "--auth", "none")
    assert r.code == 4
    assert "MissingAuthenticationToken" in r.stderr
    for name in AUTH_HEADERS:
        assert gateway.last.header(name) is None


# -- retries and redirects ----------------------------------------------------------


def test_each_retry_is_signed_and_accepted(cli, iam_config, env_creds):
    r = cli("--config", iam_config, "get", "api", "/status/503", "times==1", "then==200")
    assert r.code == 0, r.stderr
    assert len(env_creds.received) == 2
    assert all(rec.header("authorization") for rec in env_creds.received)


def test_same_origin_redirect_is_signed_for_the_new_path(cli, iam_config, env_creds):
    # the Location holds a fragment, which must not reach the signed query
    r = cli("--config", iam_config, "get", "api", "/redirect", "to==/iam/landing/a;b?x=1#frag")
    assert r.code == 0, r.stderr
    echo = r.json()
    assert echo["path"] == "/iam/landing/a;b" and echo["query"] == [["x", "1"]]
    assert echo["principal"] == KEY


def test_signature_never_follows_a_redirect_to_another_origin(cli, iam_config, env_creds):
    with Gateway() as other:
        r = cli("--config", iam_config, "get", "api", "/redirect", f"to=={other.url}/open/landing")
        assert r.code == 0, r.stderr
        assert other.last.path == "/open/landing"
        for name in AUTH_HEADERS:
            assert other.last.header(name) is None, name
        assert TOKEN not in repr(other.last.headers)


# -- bodies -------------------------------------------------------------------------


def test_json_and_binary_bodies(cli, iam_config, env_creds, tmp_path):
    r = cli("--config", iam_config, "post", "api", "/items", "name=ünï", "n:=1")
    assert r.code == 0, r.stderr
    assert r.json()["body"] == '{"name": "ünï", "n": 1}'
    data = bytes(range(256)) * 4
    (tmp_path / "blob").write_bytes(data)
    r = cli("--config", iam_config, "put", "api", "/blob", "-d", f"@{tmp_path / 'blob'}")
    assert r.code == 0, r.stderr
    assert r.json()["body_sha256"] == hashlib.sha256(data).hexdigest()


def test_file_body_is_hashed_then_streamed(cli, iam_config, env_creds, tmp_path):
    size = 24 * 1024 * 1024
    block = hashlib.sha256(b"seed").digest() * 2048  # 64 KiB
    path = tmp_path / "big.bin"
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        for _ in range(size // len(block)):
            f.write(block)
            digest.update(block)
    tracemalloc.start()
    try:
        r = cli("--config", iam_config, "post", "api", "/upload", "-d", f"@{path}")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.code == 0, r.stderr
    assert r.json() == {"body_length": size, "body_sha256": digest.hexdigest()}
    # neither hashing nor sending held the file in memory (once would be 24 MiB)
    assert peak < size // 4, f"peak {peak} bytes"


# -- what the user sees -------------------------------------------------------------


def test_offline_shows_the_scope_and_hides_secrets(cli, iam_config, env_creds):
    r = cli("--config", iam_config, "get", "api", "/items", "--offline")
    assert r.code == 0, r.stderr
    out = r.out
    assert re.search(rf"Credential={KEY}/\d{{8}}/us-east-1/execute-api/aws4_request", out)
    assert "SignedHeaders=host;x-amz-date;x-amz-security-token" in out
    assert not re.search(r"Signature=[0-9a-f]{64}", out)
    assert re.search(r"(?im)^X-Amz-Security-Token: \S+", out)
    assert TOKEN not in out and SECRET not in out and TOKEN not in r.stderr
    assert not env_creds.received  # offline: nothing sent


def test_verbose_hides_secrets(cli, iam_config, env_creds):
    r = cli("--config", iam_config, "get", "api", "/items", "-v")
    assert r.code == 0, r.stderr
    assert f"Credential={KEY}/" in r.stderr
    assert not re.search(r"Signature=[0-9a-f]{64}", r.stderr)
    assert TOKEN not in r.stderr and SECRET not in r.stderr
