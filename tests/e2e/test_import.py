"""restcli import: Amplify Gen 2, Gen 1 web (JSON and aws-exports.js) and native configs."""

from __future__ import annotations

import json
import tomllib

from tests.conftest import API_KEY

POOL = "us-east-1_0123456789abcdef0123456789abcdef"
IDENTITY_POOL = "us-east-1:11111111-2222-3333-4444-555555555555"


def gen2(endpoint: str, key: str = "API") -> dict:
    return {
        "version": "1.3",
        "auth": {
            "aws_region": "us-east-1",
            "user_pool_id": POOL,
            "user_pool_client_id": "client123",
            "identity_pool_id": IDENTITY_POOL,
            "unauthenticated_identities_enabled": True,
            "oauth": {"domain": "app.auth.us-east-1.amazoncognito.com", "scopes": ["openid", "items/read"]},
        },
        "custom": {key: {"itemsApi": {"endpoint": endpoint + "/", "region": "us-east-1", "apiName": "itemsApi"}}},
    }


def _profiles(path):
    return tomllib.loads(path.read_text())["profiles"]


def test_gen2_outputs(cli, tmp_path, gateway):
    src = tmp_path / "amplify_outputs.json"
    src.write_text(json.dumps(gen2(f"{gateway.url}/iam/dev")))
    cfg = tmp_path / "p.toml"
    r = cli("--config", cfg, "import", src)
    assert r.code == 0, r.stderr
    assert r.out.splitlines() == [
        f"itemsApi\t{gateway.url}/iam/dev\tiam\tus-east-1\tapp.auth.us-east-1.amazoncognito.com\tadd"
    ]
    assert _profiles(cfg)["itemsApi"] == {
        "endpoint": f"{gateway.url}/iam/dev",
        "auth": "iam",
        "region": "us-east-1",
        "identity_pool_id": IDENTITY_POOL,
        "user_pool_id": POOL,
        "client_id": "client123",
        "domain": "app.auth.us-east-1.amazoncognito.com",
        "scopes": "openid items/read",
    }
    assert cli("--config", cfg, "config", "check").code == 0


def test_gen2_custom_key_prefix_dry_run_and_force(cli, tmp_path, gateway):
    src = tmp_path / "amplify_outputs.json"
    src.write_text(json.dumps(gen2(f"{gateway.url}/iam/dev", key="RestApis")))
    cfg = tmp_path / "p.toml"
    r = cli("--config", cfg, "import", src)
    assert r.code == 8 and "--custom-key" in r.stderr
    r = cli("--config", cfg, "import", src, "--custom-key", "RestApis", "--prefix", "shop-", "--dry-run")
    assert r.code == 0 and "shop-itemsApi" in r.out
    assert not cfg.exists()
    assert cli("--config", cfg, "import", src, "--custom-key", "RestApis", "--prefix", "shop-").code == 0
    cli("--config", cfg, "profiles", "set", "shop-itemsApi", "timeout", "3")
    r = cli("--config", cfg, "import", src, "--custom-key", "RestApis", "--prefix", "shop-")
    assert "skip (exists; --force replaces)" in r.out
    assert _profiles(cfg)["shop-itemsApi"]["timeout"] == 3
    r = cli("--config", cfg, "import", src, "--custom-key", "RestApis", "--prefix", "shop-", "--force")
    assert "replace" in r.out
    assert "timeout" not in _profiles(cfg)["shop-itemsApi"]


def test_gen1_web_json(cli, tmp_path):
    src = tmp_path / "amplifyconfiguration.json"
    src.write_text(json.dumps({
        "aws_project_region": "eu-west-1",
        "aws_cognito_identity_pool_id": "eu-west-1:abc",
        "aws_cognito_region": "eu-west-1",
        "aws_user_pools_id": "eu-west-1_X",
        "aws_user_pools_web_client_id": "web1",
        "oauth": {"domain": "d.auth.eu-west-1.amazoncognito.com", "scope": ["email"]},
        "aws_cloud_logic_custom": [
            {"name": "orders", "endpoint": "https://o.execute-api.eu-west-1.amazonaws.com/prod", "region": "eu-west-1"},
            {"name": "users", "endpoint": "https://u.execute-api.eu-west-1.amazonaws.com/prod", "region": "eu-west-1"},
        ],
    }))
    cfg = tmp_path / "p.toml"
    assert cli("--config", cfg, "import", src).code == 0
    profiles = _profiles(cfg)
    assert set(profiles) == {"orders", "users"}
    assert profiles["orders"]["identity_pool_id"] == "eu-west-1:abc"
    assert profiles["orders"]["scopes"] == "email"


def test_aws_exports_js_is_read_as_data_never_run(cli, tmp_path):
    marker = tmp_path / "pwned"
    src = tmp_path / "aws-exports.js"
    src.write_text(
        "/* eslint-disable */\n// generated\n"
        f"require('child_process').execSync('touch {marker}');\n"
        "const awsmobile = {\n"
        "    \"aws_project_region\": \"us-west-2\", // the region\n"
        "    aws_user_pools_id: 'us-west-2_Q',\n"
        "    'aws_user_pools_web_client_id': \"c\",\n"
        "    \"aws_cloud_logic_custom\": [\n"
        "        { \"name\": \"api\", "
        "\"endpoint\": \"https://a.execute-api.us-west-2.amazonaws.com/dev\", \"region\": \"us-west-2\", },\n"
        "    ],\n"
        "};\n\nexport default awsmobile;\n"
    )
    cfg = tmp_path / "p.toml"
    r = cli("--config", cfg, "import", src)
    assert r.code == 0, r.stderr
    assert _profiles(cfg)["api"]["user_pool_id"] == "us-west-2_Q"
    assert not marker.exists()


def test_aws_exports_with_code_in_the_object_is_refused(cli, tmp_path):
    src = tmp_path / "aws-exports.js"
    src.write_text("const awsmobile = { \"a\": process.env.X };\nexport default awsmobile;\n")
    r = cli("--config", tmp_path / "p.toml", "import", src)
    assert r.code == 8
    assert "not an Amplify config" in r.stderr


def test_native_config_modes_and_calls(cli, tmp_path, gateway, monkeypatch):
    src = tmp_path / "amplifyconfiguration.json"
    src.write_text(json.dumps({
        "api": {"plugins": {"awsAPIPlugin": {
            "publicApi": {"endpointType": "REST", "endpoint": f"{gateway.url}/open",
                          "region": "us-east-1", "authorizationType": "NONE"},
            "keyedApi": {"endpointType": "REST", "endpoint": f"{gateway.url}/key",
                         "region": "us-east-1", "authorizationType": "API_KEY",
                         "apiKey": "da2-should-not-be-copied"},
            "poolApi": {"endpointType": "REST", "endpoint": f"{gateway.url}/jwt/id",
                        "region": "us-east-1", "authorizationType": "AMAZON_COGNITO_USER_POOLS"},
            "graph": {"endpointType": "GraphQL", "endpoint": "https://x/graphql",
                      "region": "us-east-1", "authorizationType": "API_KEY"},
        }}},
        "auth": {"plugins": {"awsCognitoAuthPlugin": {
            "CognitoUserPool": {"Default": {"PoolId": POOL, "AppClientId": "nat1", "Region": "us-east-1"}},
            "CredentialsProvider": {"CognitoIdentity": {"Default": {"PoolId": IDENTITY_POOL, "Region": "us-east-1"}}},
        }}},
    }))
    cfg = tmp_path / "p.toml"
    assert cli("--config", cfg, "import", src).code == 0
    profiles = _profiles(cfg)
    assert set(profiles) == {"publicApi", "keyedApi", "poolApi"}
    assert profiles["publicApi"]["auth"] == "none"
    assert profiles["poolApi"]["auth"] == "cognito"
    assert profiles["keyedApi"]["api_key"] == "env:KEYEDAPI_API_KEY"
    assert "da2-should-not-be-copied" not in cfg.read_text()
    assert cli("--config", cfg, "get", "publicApi", "/x").code == 0
    monkeypatch.setenv("KEYEDAPI_API_KEY", API_KEY)
    assert cli("--config", cfg, "get", "keyedApi", "/x").code == 0
    assert gateway.last.header("x-api-key") == API_KEY


def test_not_an_amplify_file(cli, tmp_path):
    src = tmp_path / "x.json"
    src.write_text("[1, 2]")
    assert cli("--config", tmp_path / "p.toml", "import", src).code == 8
    assert cli("--config", tmp_path / "p.toml", "import", tmp_path / "missing.json").code == 2
