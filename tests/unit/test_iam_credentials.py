"""Where iam credentials come from (restcli/aws/credentials.py), and the errors when they do not.

tests/conftest.py isolates every test: a temporary HOME, every AWS_* variable cleared,
AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE in that HOME, no instance metadata.
"""

from __future__ import annotations

import os
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from restcli.aws import credentials
from restcli.aws.credentials import EnvSource, Frozen
from restcli.errors import CREDENTIALS, CredentialsError


def aws_files(config: str = "", creds: str = "") -> None:
    Path(os.environ["AWS_CONFIG_FILE"]).parent.mkdir(parents=True, exist_ok=True)
    Path(os.environ["AWS_CONFIG_FILE"]).write_text(textwrap.dedent(config))
    Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).write_text(textwrap.dedent(creds))


def test_fast_path_takes_the_environment(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "envsecret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "envtoken")
    source = credentials.load(None)
    assert isinstance(source, EnvSource)
    assert source.get() == Frozen("AKIDENV", "envsecret", "envtoken")


def test_fast_path_token_order_is_botocores(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "envsecret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session")
    monkeypatch.setenv("AWS_SECURITY_TOKEN", "security")
    assert credentials.load(None).get().token == "security"  # botocore reads it first


def test_fast_path_gives_what_boto3_would(monkeypatch):
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "envsecret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "envtoken")
    monkeypatch.setenv("AWS_PROFILE", "other")  # env keys still win in boto3's chain
    aws_files(creds="[other]\naws_access_key_id = AKIDFILE\naws_secret_access_key = filesecret\n")
    theirs = boto3.Session().get_credentials().get_frozen_credentials()
    ours = credentials.load(None).get()
    assert (ours.access_key, ours.secret_key, ours.token) == (
        theirs.access_key,
        theirs.secret_key,
        theirs.token,
    )


def test_named_profile_is_never_the_environment(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "envsecret")
    aws_files(
        config="[profile dev]\nregion = eu-central-1\n",
        creds="[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = devsecret\n",
    )
    source = credentials.load("dev")
    assert source.get() == Frozen("AKIDDEV", "devsecret", None)
    assert source.profile_region() == "eu-central-1"


def test_static_profile_read_without_boto3_matches_botocore(monkeypatch):
    import boto3

    aws_files(
        config="[profile dev]\nregion = eu-west-3\n[profile cfgonly]\naws_access_key_id = AKIDCFG\n"
               "aws_secret_access_key = cfgsecret\naws_session_token = cfgtoken\n",
        creds="[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = devsecret\n"
              "aws_session_token = devtoken\n",
    )
    for name in ("dev", "cfgonly"):
        source = credentials.load(name)
        assert isinstance(source, credentials.StaticProfileSource)
        expected = boto3.Session(profile_name=name).get_credentials().get_frozen_credentials()
        assert source.get() == Frozen(expected.access_key, expected.secret_key, expected.token)
    assert credentials.load("dev").profile_region() == "eu-west-3"


@pytest.mark.parametrize("extra", ["role_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n",
                                   "credential_process = /bin/false\n",
                                   "sso_session = corp\n"])
def test_profiles_that_need_botocore_are_left_to_it(extra):
    aws_files(
        config="[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = b\n"
               f"[profile dev]\n{extra}",
        creds="[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = devsecret\n",
    )
    assert credentials.StaticProfileSource.read("dev", os.environ) is None


def test_default_chain_without_a_profile_name(monkeypatch):
    # AWS_PROFILE is boto3's to read; restcli never picks "default" itself
    monkeypatch.setenv("AWS_PROFILE", "ci")
    aws_files(creds="[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = cisecret\n"
                    "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n")
    assert credentials.load(None).get().access_key == "AKIDCI"


def test_partial_environment_names_the_missing_variable(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    with pytest.raises(CredentialsError) as err:
        credentials.load(None)
    assert err.value.exit_code == CREDENTIALS
    assert "AWS_SECRET_ACCESS_KEY" in err.value.message + (err.value.hint or "")


def test_expired_environment_credentials(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "envsecret")
    past = datetime.now(UTC) - timedelta(minutes=1)
    monkeypatch.setenv("AWS_CREDENTIAL_EXPIRATION", past.isoformat())
    with pytest.raises(CredentialsError) as err:
        credentials.load(None)
    assert "expired" in err.value.message and err.value.hint


def test_unexpired_environment_credentials_take_the_fast_path(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "envsecret")
    future = datetime.now(UTC) + timedelta(hours=1)
    monkeypatch.setenv("AWS_CREDENTIAL_EXPIRATION", future.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert isinstance(credentials.load(None), EnvSource)


def test_no_credentials_anywhere():
    with pytest.raises(CredentialsError) as err:
        credentials.load(None)
    assert err.value.exit_code == CREDENTIALS
    hint = err.value.hint or ""
    assert "aws configure" in hint and "aws sso login" in hint and "AWS_ACCESS_KEY_ID" in hint


def test_profile_without_credentials():
    aws_files(config="[profile empty]\nregion = eu-west-1\n")
    with pytest.raises(CredentialsError) as err:
        credentials.load("empty")
    assert "'empty'" in err.value.message
    assert "aws sso login --profile empty" in err.value.hint


def test_unknown_profile_lists_the_known_ones():
    aws_files(config="[profile alpha]\nregion = eu-west-1\n[profile beta]\nregion = eu-west-1\n")
    with pytest.raises(CredentialsError) as err:
        credentials.load("gamma")
    assert "'gamma'" in err.value.message
    assert "alpha" in err.value.hint and "beta" in err.value.hint


def test_sso_profile_not_logged_in():
    aws_files(
        config="""
        [profile sso]
        sso_session = corp
        sso_account_id = 123456789012
        sso_role_name = Dev
        region = eu-west-1
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = eu-west-1
        """
    )
    source = credentials.load("sso")  # SSO credentials are fetched when first read
    with pytest.raises(CredentialsError) as err:
        source.get()
    assert err.value.exit_code == CREDENTIALS
    assert "aws sso login --profile sso" in err.value.hint


@pytest.mark.parametrize("script", [None, "echo 'helper says no' >&2; exit 3\n"])
def test_failing_credential_process(tmp_path, script):
    helper = tmp_path / "helper"
    if script is not None:
        helper.write_text("#!/bin/sh\n" + script)
        helper.chmod(0o755)
    aws_files(config=f"[profile proc]\ncredential_process = {helper}\n")
    with pytest.raises(CredentialsError) as err:
        credentials.load("proc").get()
    assert err.value.exit_code == CREDENTIALS
    assert "credential_process" in err.value.hint
    if script:
        assert "helper says no" in err.value.message


@pytest.mark.parametrize(
    "code, message, expect",
    [
        ("ExpiredToken", "The security token included in the request is expired", "log in again"),
        ("AccessDenied", "not authorized to perform sts:AssumeRole", "role"),
    ],
)
def test_sts_errors(code, message, expect):
    from botocore.exceptions import ClientError

    exc = ClientError({"Error": {"Code": code, "Message": message}}, "AssumeRole")
    err = credentials.translate(exc, "role")
    assert isinstance(err, CredentialsError)
    assert message in err.message and expect in err.hint


def test_refresh_that_stays_expired():
    err = credentials.translate(
        RuntimeError(
            "Credentials were refreshed, but the refreshed credentials are still expired."
        ),
        "dev",
    )
    assert isinstance(err, CredentialsError) and "expired" in err.message
