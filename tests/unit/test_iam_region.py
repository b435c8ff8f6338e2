"""Region and service for iam signing, and the order they are taken in (restcli/auth/iam.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from restcli.auth import iam
from restcli.aws import region as regions
from restcli.config import Profile
from restcli.errors import CONFIG, ConfigError
from restcli.params import ProfileValues
from restcli.secrets import Redactor


@pytest.mark.parametrize(
    "host, expected",
    [
        ("abc123.execute-api.eu-west-1.amazonaws.com", ("eu-west-1", "execute-api")),
        ("ABC123.Execute-Api.US-GOV-WEST-1.amazonaws.com", ("us-gov-west-1", "execute-api")),
        ("abc-vpce-0a1b.execute-api.ap-south-2.amazonaws.com", ("ap-south-2", "execute-api")),
        ("vpce-0a1b-x.execute-api.eu-west-3.vpce.amazonaws.com", ("eu-west-3", "execute-api")),
        ("abc123.execute-api.cn-north-1.amazonaws.com.cn", ("cn-north-1", "execute-api")),
        ("xyz789.lambda-url.us-west-2.on.aws", ("us-west-2", "lambda")),
        ("api.example.com", (None, None)),
        ("execute-api.eu-west-1.amazonaws.com.evil.example", (None, None)),
        ("127.0.0.1", (None, None)),
        (None, (None, None)),
    ],
)
def test_from_host(host, expected):
    assert regions.from_host(host) == expected


def settings(endpoint: str, **values) -> ProfileValues:
    profile = Profile(
        name="prof",
        endpoint=endpoint,
        values={"auth": "iam", "region": None, "service": None, "aws_profile": None, **values},
        file=Path("/tmp/profiles.toml"),
    )
    return ProfileValues(profile, iam.MODE, Redactor())


@pytest.fixture
def env_keys(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "envsecret")


def aws_config(text: str) -> None:
    path = Path(os.environ["AWS_CONFIG_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


API = "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"
CUSTOM = "https://api.example.com/v1"


def test_region_key_wins(env_keys, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    auth = iam.build(settings(API, region="ap-south-1"))
    assert (auth.region, auth.service) == ("ap-south-1", "execute-api")


def test_host_before_environment(env_keys, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    assert iam.build(settings(API)).region == "eu-west-1"


def test_aws_region_then_aws_default_region(env_keys, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    assert iam.build(settings(CUSTOM)).region == "eu-north-1"
    monkeypatch.setenv("AWS_REGION", "eu-south-1")
    assert iam.build(settings(CUSTOM)).region == "eu-south-1"


def test_aws_profile_region_last(monkeypatch):
    aws_config(
        "[profile dev]\nregion = ca-central-1\naws_access_key_id = AKIDDEV\n"
        "aws_secret_access_key = devsecret\n"
    )
    assert iam.build(settings(CUSTOM, aws_profile="dev")).region == "ca-central-1"


def test_default_chain_profile_region_with_env_keys(env_keys, monkeypatch):
    aws_config("[default]\nregion = sa-east-1\n")
    assert iam.build(settings(CUSTOM)).region == "sa-east-1"


def test_no_region_is_an_error_naming_the_profile(env_keys):
    with pytest.raises(ConfigError) as err:
        iam.build(settings(CUSTOM))
    assert err.value.exit_code == CONFIG
    assert "'prof'" in err.value.message
    assert "us-east-1" not in err.value.message + err.value.hint
    assert "region" in err.value.hint and "AWS_REGION" in err.value.hint


def test_service_key_and_lambda_urls(env_keys):
    assert iam.build(settings(CUSTOM, region="eu-west-1")).service == "execute-api"
    assert iam.build(settings(CUSTOM, region="eu-west-1", service="custom")).service == "custom"
    url = "https://xyz.lambda-url.us-west-2.on.aws/"
    auth = iam.build(settings(url))
    assert (auth.region, auth.service) == ("us-west-2", "lambda")


def test_params_are_declared():
    assert [p.name for p in iam.MODE.params] == [
        "identity_pool_id", "guest", "region", "service", "aws_profile"
    ]
    assert not any(p.secret for p in iam.MODE.params)
