"""`iam` profiles with `identity_pool_id`: credentials from a Cognito identity pool (moto).

The gateway's /iam routes accept moto's identity-pool credentials only
(TESTACCESSKEY12345 / ABCSECRETKEY / ABC12345), so a call that signed with anything else
(the dummy AWS_ACCESS_KEY_ID the moto fixture exports, say) would be refused.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.support.cognito_helpers import (
    MOTO_KEY,
    MOTO_SECRET,
    MOTO_TOKEN,
    PASSWORD,
    REGION,
    cache_entries,
    entry,
    fields,
    login_args,
)

pytest_plugins = ["tests.support.cognito_fixtures"]


@pytest.fixture
def iam_gateway(gateway):
    gateway.credentials = {MOTO_KEY: (MOTO_SECRET, MOTO_TOKEN)}
    return gateway


@pytest.fixture
def profile(write_config, iam_gateway, identity_pool, pool, monkeypatch):
    def write(signed_in_pool: bool = True, extra: str = "") -> None:
        users = (f'user_pool_id = "{pool.id}"\nclient_id = "{pool.client_id}"\n'
                 if signed_in_pool else "")
        path = write_config(
            f'[profiles.app]\nendpoint = "{iam_gateway.url}/iam"\nauth = "iam"\n'
            f'region = "{REGION}"\nidentity_pool_id = "{identity_pool}"\ntimeout = 5\n'
            + users + extra
        )
        monkeypatch.setenv("RESTCLI_CONFIG", str(path))

    write()
    return write


def identity_calls(moto):
    return [c for c in moto.calls if c.operation in ("GetId", "GetCredentialsForIdentity")]


def signed_with(gateway) -> tuple[str, str | None]:
    rec = gateway.last
    key = rec.header("authorization").split("Credential=")[1].split("/")[0]
    return key, rec.header("x-amz-security-token")


def sign_in(cli, stdin):
    stdin(PASSWORD + "\n")
    r = cli(*login_args())
    assert r.code == 0, r.stderr


def test_guest_role_without_a_sign_in(cli, profile, moto, iam_gateway, isolated):
    r = cli("get", "app", "/items")
    assert r.code == 0, r.stderr
    assert signed_with(iam_gateway) == (MOTO_KEY, MOTO_TOKEN)
    get_id, get_creds = identity_calls(moto)
    assert get_id.operation == "GetId" and "Logins" not in get_id.body
    assert "Logins" not in get_creds.body
    _, cached = entry(isolated, "awscreds")
    assert cached["role"] == "unauthenticated"


def test_a_second_call_makes_no_cognito_request(cli, profile, moto):
    assert cli("get", "app", "/items").code == 0
    moto.clear()
    assert cli("get", "app", "/items").code == 0
    assert moto.count() == 0


def test_the_guest_identity_id_is_reused(cli, profile, moto, isolated):
    assert cli("get", "app", "/items").code == 0
    path, data = entry(isolated, "awscreds")
    data["expires_at"] = time.time() + 30  # within the margin: refetch
    path.write_text(json.dumps(data))
    moto.clear()
    assert cli("get", "app", "/items").code == 0
    assert [c.operation for c in identity_calls(moto)] == ["GetCredentialsForIdentity"]
    assert identity_calls(moto)[0].body["IdentityId"] == data["identity_id"]


def test_signed_in_user_gets_the_authenticated_role(cli, stdin, profile, pool, moto, iam_gateway,
                                                     isolated):
    sign_in(cli, stdin)
    _, tokens = entry(isolated)
    moto.clear()
    r = cli("get", "app", "/items")
    assert r.code == 0, r.stderr
    provider = f"cognito-idp.{REGION}.amazonaws.com/{pool.id}"
    get_id, get_creds = identity_calls(moto)
    assert get_id.body["Logins"] == {provider: tokens["id_token"]}
    assert get_creds.body["Logins"] == {provider: tokens["id_token"]}
    _, cached = entry(isolated, "awscreds")
    assert cached["role"] == "authenticated"
    status = fields(cli("auth", "status", "app").out)
    assert status["identity id"] == get_creds.body["IdentityId"]


def test_guest_flag_forces_the_unauthenticated_role(cli, stdin, profile, moto):
    sign_in(cli, stdin)
    moto.clear()
    r = cli("get", "app", "/items", "--guest")
    assert r.code == 0, r.stderr
    assert all("Logins" not in c.body for c in identity_calls(moto))
    assert moto.count("InitiateAuth") == 0


def test_guest_profile_key(cli, stdin, profile, moto):
    profile(extra="guest = true\n")
    sign_in(cli, stdin)
    moto.clear()
    assert cli("get", "app", "/items").code == 0
    assert identity_calls(moto) and all("Logins" not in c.body for c in identity_calls(moto))


def test_signed_in_and_guest_credentials_are_cached_apart(cli, stdin, profile, moto, isolated):
    assert cli("get", "app", "/items").code == 0  # guest
    sign_in(cli, stdin)
    assert cli("get", "app", "/items").code == 0  # alice
    assert len(cache_entries(isolated, "awscreds")) == 2
    assert len(cache_entries(isolated, "identity")) == 2
    moto.clear()
    assert cli("get", "app", "/items", "--guest").code == 0
    assert cli("get", "app", "/items").code == 0
    assert moto.count() == 0


def test_logout_drops_the_authenticated_credentials(cli, stdin, profile, moto, isolated):
    sign_in(cli, stdin)
    assert cli("get", "app", "/items").code == 0
    assert cli("logout", "app").code == 0
    assert cache_entries(isolated, "awscreds") == []
    moto.clear()
    assert cli("get", "app", "/items").code == 0  # the guest role again
    assert all("Logins" not in c.body for c in identity_calls(moto))


def test_expired_user_tokens_are_refreshed_for_the_logins_map(cli, stdin, profile, moto, isolated):
    from tests.support.cognito_helpers import expire

    sign_in(cli, stdin)
    before = expire(isolated, seconds_left=10)
    moto.clear()
    assert cli("get", "app", "/items").code == 0
    assert moto.count("InitiateAuth", "REFRESH_TOKEN_AUTH") == 1
    _, after = entry(isolated)
    (sent,) = identity_calls(moto)[0].body["Logins"].values()
    assert sent == after["id_token"] != before["id_token"]


def test_restcli_token_logs_in_without_caching(cli, stdin, profile, moto, isolated, monkeypatch):
    sign_in(cli, stdin)
    id_token = cli("auth", "token", "app", "--id").out.strip()
    cli("logout", "app")
    monkeypatch.setenv("RESTCLI_TOKEN", id_token)
    moto.clear()
    assert cli("get", "app", "/items").code == 0
    assert list(identity_calls(moto)[0].body["Logins"].values()) == [id_token]
    assert cache_entries(isolated, "awscreds") == []


def test_identity_endpoint_variable(cli, profile, moto, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY", moto.url)
    assert cli("get", "app", "/items").code == 0
    assert len(identity_calls(moto)) == 2


def test_identity_pool_unreachable_exits_9(cli, profile, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    r = cli("get", "app", "/items")
    assert r.code == 9
    assert "identity pool" in r.stderr


def test_a_cached_identity_call_imports_no_aws_sdk(cli, stdin, profile, moto):
    sign_in(cli, stdin)
    assert cli("get", "app", "/items").code == 0
    moto.clear()
    code = (
        "import sys\n"
        "from restcli.__main__ import main\n"
        "rc = main(['get', 'app', '/items'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('boto3', 'botocore', 'pycognito', 'filelock'))\n"
        "sys.stderr.write('RC=%d HEAVY=%r\\n' % (rc, heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=30, env=dict(os.environ))
    assert "RC=0 HEAVY=[]" in proc.stderr, proc.stderr
    assert moto.count() == 0


def test_env_exports_the_identity_pool_credentials(cli, stdin, profile, moto):
    r = cli("env", "app", "--guest")
    assert r.code == 0, r.stderr
    assert f"export AWS_ACCESS_KEY_ID={MOTO_KEY}" in r.out
    assert f"export AWS_SESSION_TOKEN={MOTO_TOKEN}" in r.out
    assert all("Logins" not in c.body for c in identity_calls(moto))


def test_curl_export_says_to_eval_restcli_env(cli, profile):
    r = cli("get", "app", "/items", "--curl")
    assert r.code == 0, r.stderr
    assert "--aws-sigv4" in r.out and MOTO_SECRET not in r.out
    assert 'eval "$(restcli env app)"' in r.stderr
