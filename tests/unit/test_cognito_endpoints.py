"""AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>, resolved as the AWS SDKs do, without boto3."""

from __future__ import annotations

import pytest

from restcli.cognito import endpoints as ep


@pytest.mark.parametrize(
    "service, name",
    [
        (ep.COGNITO_IDP, "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"),
        (ep.COGNITO_IDENTITY, "AWS_ENDPOINT_URL_COGNITO_IDENTITY"),
        (ep.STS, "AWS_ENDPOINT_URL_STS"),
    ],
)
def test_variable_names_follow_the_sdk_id(service, name):
    assert ep.env_name(service) == name


def test_defaults_are_the_regional_public_endpoints():
    assert ep.url_for(ep.COGNITO_IDP, "eu-west-1", {}) == "https://cognito-idp.eu-west-1.amazonaws.com/"
    assert ep.url_for(ep.COGNITO_IDENTITY, "us-east-2", {}) == (
        "https://cognito-identity.us-east-2.amazonaws.com/"
    )
    assert ep.url_for(ep.COGNITO_IDP, "cn-north-1", {}) == (
        "https://cognito-idp.cn-north-1.amazonaws.com.cn/"
    )


def test_service_variable_wins_over_the_global_one():
    env = {
        "AWS_ENDPOINT_URL": "http://global:1",
        "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": "http://idp:2",
    }
    assert ep.url_for(ep.COGNITO_IDP, "us-east-1", env) == "http://idp:2"
    # a variable for another service does not apply
    assert ep.url_for(ep.COGNITO_IDENTITY, "us-east-1", env) == "http://global:1"


def test_ignore_configured_endpoint_urls():
    env = {"AWS_ENDPOINT_URL": "http://global:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}
    assert ep.url_for(ep.STS, "us-east-1", env) == "https://sts.us-east-1.amazonaws.com/"


def test_empty_variables_are_unset():
    assert ep.configured(ep.COGNITO_IDP, {"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": ""}) is None


def test_reads_the_process_environment(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    assert ep.url_for(ep.COGNITO_IDP, "us-east-1") == "http://127.0.0.1:4566"
