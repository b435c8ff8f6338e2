"""Config values that build a host are validated: regions, pool ids, domains, endpoints,
header names; refused with exit 8 naming file, key and the escaped value."""

from __future__ import annotations

import json

import pytest

from restcli import hosts
from restcli.cognito import endpoints
from restcli.errors import ConfigError

EVIL_REGION = "us-east-1.amazonaws.com@evil#"


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-1", "cn-north-1", "us-gov-west-1",
                                    "us-iso-east-1", "us-isob-east-1", "ap-southeast-2"])
def test_region_form_accepted(region):
    assert hosts.region_problem(region) is None
    assert endpoints.default(endpoints.COGNITO_IDP, region).startswith(f"https://cognito-idp.{region}.")


@pytest.mark.parametrize("region", [EVIL_REGION, "US-EAST-1", "us-east-1/", "us east 1", "x",
                                    "us-east-1\n", "us-east-1:1"])
def test_region_form_refused_and_never_formatted_into_a_url(region):
    assert hosts.region_problem(region) is not None
    with pytest.raises(ConfigError):
        endpoints.default(endpoints.COGNITO_IDP, region)


def test_partition_suffixes():
    assert hosts.aws_host("sts", "cn-north-1") == "sts.cn-north-1.amazonaws.com.cn"
    assert hosts.aws_host("sts", "us-gov-west-1") == "sts.us-gov-west-1.amazonaws.com"
    assert hosts.aws_host("sts", "us-iso-east-1") == "sts.us-iso-east-1.c2s.ic.gov"


@pytest.mark.parametrize("domain", ["app.auth.us-east-1.amazoncognito.com", "https://auth.example.com",
                                    "http://127.0.0.1:8080", "localhost:9000", "[::1]:80",
                                    "https://auth.example.com/"])
def test_domain_accepted(domain):
    assert hosts.domain_problem(domain) is None


@pytest.mark.parametrize("domain", ["user:pw@auth.example.com", "auth.example.com:8443",
                                    "auth.example.com/x", "evil.com#.amazoncognito.com",
                                    "evil.com?.x", "a..b", "a" * 64 + ".com", "a b.com",
                                    "https://evil@auth.example.com"])
def test_domain_refused(domain):
    assert hosts.domain_problem(domain) is not None


def _check(cli, write_config, body: str):
    path = write_config(body)
    return path, cli("--config", path, "config", "check")


@pytest.mark.parametrize("key,value", [
    ("region", EVIL_REGION),
    ("user_pool_id", "us-east-1.evil.com#_abc"),
    ("domain", "user@evil.com"),
    ("header", "Bad Header"),
])
def test_cognito_keys_refused_by_config_check_and_by_calls(cli, write_config, key, value):
    values = {"user_pool_id": "us-east-1_abc", "client_id": "x", key: value}
    lines = "\n".join(f"    {k} = {json.dumps(v)}" for k, v in values.items())
    body = f"""
    [profiles.c]
    endpoint = "https://api.example.com/dev"
    auth = "cognito"
{lines}
    """
    path, r = _check(cli, write_config, body)
    assert r.code == 8
    assert str(path) in r.stderr and f"profiles.c.{key}" in r.stderr
    assert repr(value) in r.stderr
    r = cli("--config", path, "login", "c", "--username", "u")
    assert r.code == 8, r.stderr
    r = cli("--config", path, "get", "c", "/x", "--offline")
    assert r.code == 8, r.stderr


@pytest.mark.parametrize("key,value,mode", [
    ("region", "us-east-1\x1b[2K", "iam"),
    ("identity_pool_id", "evil.com/:1111", "iam"),
    ("api_key_header", "X-Api Key", "api_key"),
    ("header", "Auth:", "token"),
])
def test_other_mode_keys_refused(cli, write_config, key, value, mode):
    _, r = _check(cli, write_config, f"""
    [profiles.p]
    endpoint = "https://api.example.com/dev"
    auth = "{mode}"
    {key} = {json.dumps(value)}
    """)
    assert r.code == 8
    assert f"profiles.p.{key}" in r.stderr
    assert "\x1b" not in r.stderr


@pytest.mark.parametrize("host", ["a..b.com", "x" * 64 + ".example.com", "a%20b.com", ".lead.com"])
def test_endpoint_hostnames_checked(cli, write_config, host):
    _, r = _check(cli, write_config, f"""
    [profiles.p]
    endpoint = "https://{host}/dev"
    auth = "none"
    """)
    assert r.code == 8, r.stderr
    assert "profiles.p.endpoint" in r.stderr
    assert "unexpected" not in r.stderr


def test_import_refuses_a_hostile_region_and_domain(cli, tmp_path):
    src = tmp_path / "amplify_outputs.json"
    src.write_text(json.dumps({
        "auth": {"aws_region": EVIL_REGION, "user_pool_id": "us-east-1_abc",
                 "user_pool_client_id": "c", "oauth": {"domain": "x@evil.com"}},
        "custom": {"API": {"a": {"endpoint": "https://api.example.com/dev"}}},
    }))
    cfg = tmp_path / "p.toml"
    r = cli("--config", cfg, "import", src, "--dry-run")
    assert r.code == 8
    assert str(src) in r.stderr and repr(EVIL_REGION) in r.stderr and "'x@evil.com'" in r.stderr
    assert not cfg.exists()


def test_import_plan_shows_region_and_domain(cli, tmp_path):
    src = tmp_path / "amplify_outputs.json"
    src.write_text(json.dumps({
        "auth": {"aws_region": "eu-west-1", "user_pool_id": "eu-west-1_abc",
                 "user_pool_client_id": "c", "oauth": {"domain": "d.auth.eu-west-1.amazoncognito.com"}},
        "custom": {"API": {"a": {"endpoint": "https://api.example.com/dev"}}},
    }))
    r = cli("--config", tmp_path / "p.toml", "import", src, "--dry-run")
    assert r.code == 0, r.stderr
    assert r.out.split("\t")[3:5] == ["eu-west-1", "d.auth.eu-west-1.amazoncognito.com"]


def test_import_refuses_a_bad_endpoint_host_even_in_a_dry_run(cli, tmp_path):
    src = tmp_path / "amplify_outputs.json"
    src.write_text(json.dumps({
        "custom": {"API": {"a": {"endpoint": "https://evil..example.com/dev"}}},
    }))
    r = cli("--config", tmp_path / "p.toml", "import", src, "--dry-run")
    assert r.code == 8, r.stderr
    assert "profiles.a.endpoint" in r.stderr and "empty label" in r.stderr


@pytest.mark.parametrize("endpoint", ["http://[::1]:8080/dev", "http://127.0.0.1:8080",
                                      "https://bücher.example/v1", "https://my_host.internal/x",
                                      "https://abc.execute-api.us-east-1.amazonaws.com/dev"])
def test_ordinary_endpoints_still_pass(cli, write_config, endpoint):
    cfg = write_config(f'[profiles.p]\nendpoint = "{endpoint}"\nauth = "none"\n')
    r = cli("--config", cfg, "config", "check")
    assert r.code == 0, r.stderr


@pytest.mark.parametrize("host", ["\uff41.com", "\u2488com", "\u00e4" * 60 + ".com"])
def test_an_endpoint_host_that_idna_refuses_is_a_config_error_for_check_and_calls(
        cli, write_config, host):
    # Fullwidth letters, a digit-full-stop, a label over 63 characters once encoded: the
    # codec urllib3 sends them with refuses them, so config check does too.
    cfg, r = _check(cli, write_config, f"""
    [profiles.p]
    endpoint = "https://{host}/dev"
    auth = "none"
    """)
    assert r.code == 8, r.stderr
    assert "profiles.p.endpoint" in r.stderr and str(cfg) in r.stderr
    assert repr(f"https://{host}/dev") in r.stderr
    r = cli("--config", cfg, "get", "p", "/x")
    assert r.code == 8, r.stderr
    assert "unexpected" not in r.stderr and "profiles.p.endpoint" in r.stderr
