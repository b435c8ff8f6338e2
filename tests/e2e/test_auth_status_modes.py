"""`auth status` and `auth token` per auth mode: non-Cognito profiles are described, not
asked for user_pool_id; a secret is never shown."""

from __future__ import annotations

import pytest

from tests.support.cognito_helpers import fields

CONFIG = """
[profiles.keyed]
endpoint = "https://api.example.com/key"
auth = "api_key"
api_key = "env:ITEMS_KEY"

[profiles.lit]
endpoint = "https://api.example.com/key"
auth = "api_key"
api_key = "literal-key-value-123"

[profiles.custom]
endpoint = "https://api.example.com/token"
auth = "token"
token = "env:ITEMS_TOKEN"
scheme = "Bearer"

[profiles.signed]
endpoint = "https://abc.execute-api.us-east-1.amazonaws.com/dev"
auth = "iam"
aws_profile = "dev"

[profiles.pool]
endpoint = "https://abc.execute-api.eu-west-1.amazonaws.com/dev"
auth = "iam"
identity_pool_id = "eu-west-1:0000aaaa-1111-2222-3333-444455556666"

[profiles.public]
endpoint = "https://api.example.com/open"
auth = "none"
"""


@pytest.fixture
def cfg(write_config, monkeypatch):
    monkeypatch.setenv("ITEMS_KEY", "the-real-api-key-0001")
    monkeypatch.setenv("ITEMS_TOKEN", "the-real-token-0002")
    return write_config(CONFIG, mode=0o600)


@pytest.mark.parametrize("name,expect", [
    ("keyed", {"auth": "api_key (API key header)", "api_key": "env:ITEMS_KEY",
               "credentials": "the api_key key, sent in X-Api-Key"}),
    ("lit", {"api_key": "(a literal value in the profile file)"}),
    ("custom", {"auth": "token (custom or bearer token)", "token": "env:ITEMS_TOKEN",
                "credentials": "the token key, sent in Authorization after 'Bearer'"}),
    ("signed", {"auth": "iam (AWS SigV4 (IAM))", "aws_profile": "dev"}),
    ("pool", {"identity_pool_id": "eu-west-1:0000aaaa-1111-2222-3333-444455556666"}),
    ("public", {"auth": "none (no credentials)"}),
])
def test_status_describes_the_mode_without_secrets(cli, cfg, name, expect):
    r = cli("--config", cfg, "auth", "status", name)
    assert r.code == 0, r.stderr
    got = fields(r.out)
    assert got["profile"] == name
    for key, value in expect.items():
        assert got[key] == value
    assert "credentials" in got
    assert "user_pool_id" not in r.out + r.stderr
    for secret in ("the-real-api-key-0001", "the-real-token-0002", "literal-key-value-123"):
        assert secret not in r.out + r.stderr


@pytest.mark.parametrize("name", ["keyed", "signed", "public"])
def test_token_is_a_usage_error_naming_the_mode(cli, cfg, name):
    r = cli("--config", cfg, "auth", "token", name)
    assert r.code == 2
    assert "which has no token to print" in r.stderr and "user_pool_id" not in r.stderr
    assert r.stdout == b""


def test_token_mode_prints_its_token(cli, cfg):
    r = cli("--config", cfg, "auth", "token", "custom")
    assert r.code == 0, r.stderr
    assert r.stdout == b"the-real-token-0002\n"
