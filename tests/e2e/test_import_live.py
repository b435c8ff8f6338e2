"""Imported Amplify profiles call the gateway: guest iam through moto's identity pool,
then cognito after `restcli login`, then the authenticated role."""

from __future__ import annotations

import json

from tests.support.cognito_helpers import MOTO_KEY, MOTO_SECRET, MOTO_TOKEN, PASSWORD, REGION

pytest_plugins = ["tests.support.cognito_fixtures"]


def test_gen2_import_then_guest_iam_then_cognito_login(cli, stdin, tmp_path, gateway, pool,
                                                      identity_pool, moto):
    gateway.credentials = {MOTO_KEY: (MOTO_SECRET, MOTO_TOKEN)}
    gateway.jwks_url = pool.jwks_url
    outputs = {
        "version": "1.3",
        "auth": {
            "aws_region": REGION,
            "user_pool_id": pool.id,
            "user_pool_client_id": pool.client_id,
            "identity_pool_id": identity_pool,
            "unauthenticated_identities_enabled": True,
        },
        "custom": {"API": {
            "itemsApi": {"endpoint": f"{gateway.url}/iam/dev/", "region": REGION, "apiName": "itemsApi"},
            "ordersApi": {"endpoint": f"{gateway.url}/jwt/id/", "region": REGION, "apiName": "ordersApi"},
        }},
    }
    src = tmp_path / "amplify_outputs.json"
    src.write_text(json.dumps(outputs))
    cfg = tmp_path / "profiles.toml"
    assert cli("--config", cfg, "import", src).code == 0

    # guest: the unauthenticated role, as Amplify before sign-in
    r = cli("--config", cfg, "get", "itemsApi", "/items")
    assert r.code == 0, r.stderr
    assert json.loads(r.stdout)["principal"] == MOTO_KEY

    # the user-pool API refuses a SigV4 call, and takes a user-pool token after login
    assert cli("--config", cfg, "get", "ordersApi", "/orders").code == 4
    stdin(PASSWORD + "\n")
    r = cli("--config", cfg, "login", "ordersApi", "--username", "alice", "--password-stdin")
    assert r.code == 0, r.stderr
    r = cli("--config", cfg, "get", "ordersApi", "/orders", "--auth", "cognito")
    assert r.code == 0, r.stderr
    assert gateway.last.header("authorization").count(".") == 2  # a JWT, raw as Amplify sends it

    # signed in: the iam profile now gets the authenticated role (Logins map sent)
    moto.clear()
    r = cli("--config", cfg, "get", "itemsApi", "/items")
    assert r.code == 0, r.stderr
    get_id = [c for c in moto.calls if c.operation == "GetId"]
    assert get_id and "Logins" in get_id[0].body
