"""`auth = "cognito"` against moto's user pools and the test gateway's JWT authorizer.

Sign-in flows and challenges, id vs access tokens, the token cache (no Cognito request on
a cached call; refresh before expiry and after a 401), and the endpoint variables.
"""

from __future__ import annotations

import json
import os
import stat
import time

import pytest

from tests.support.cognito_helpers import (
    NEW_PASSWORD,
    PASSWORD,
    cache_dir,
    cache_entries,
    claims,
    entry,
    expire,
    login_args,
)

pytest_plugins = ["tests.support.cognito_fixtures"]


@pytest.fixture
def app(cognito_config, pool, jwt_gateway):
    cognito_config(pool, f"{jwt_gateway.url}/jwt/id")
    return pool


def sign_in(cli, stdin, flow_password=PASSWORD, *extra):
    stdin(flow_password + "\n")
    r = cli(*login_args(), *extra)
    assert r.code == 0, r.stderr
    return r


# -- sign-in flows ---------------------------------------------------------------------
@pytest.mark.parametrize("flow", ["srp", "password"])
def test_login_then_call_sends_the_id_token(flow, cli, stdin, cognito_config, pool, jwt_gateway,
                                            moto, isolated):
    cognito_config(pool, f"{jwt_gateway.url}/jwt/id", flow=flow)
    r = sign_in(cli, stdin)
    assert "signed in to profile 'app' as alice" in r.stderr
    expected = "USER_SRP_AUTH" if flow == "srp" else "USER_PASSWORD_AUTH"
    assert moto.count("InitiateAuth", expected) == 1
    r = cli("get", "app", "/items")
    assert r.code == 0, r.stderr
    sent = jwt_gateway.last.header("authorization")
    assert claims(sent)["token_use"] == "id"  # raw token, as Amplify sends it
    assert r.json()["principal"] == claims(sent)["sub"]


@pytest.mark.parametrize("flow", ["srp", "password"])
def test_client_secret_hash_on_sign_in_and_refresh(flow, cli, stdin, cognito_config, make_pool,
                                                   jwt_gateway, moto, isolated, monkeypatch):
    pool = make_pool(secret=True)
    pool.add_user("alice")
    jwt_gateway.jwks_url = pool.jwks_url
    monkeypatch.setenv("POOL_SECRET", pool.client_secret)
    cognito_config(pool, f"{jwt_gateway.url}/jwt/id", flow=flow, client_secret="env:POOL_SECRET")
    sign_in(cli, stdin)
    expire(isolated)
    r = cli("get", "app", "/items")
    assert r.code == 0, r.stderr
    assert moto.count("InitiateAuth", "REFRESH_TOKEN_AUTH") == 1


def test_srp_with_a_wrong_client_secret_is_refused(cli, stdin, cognito_config, make_pool, moto,
                                                   monkeypatch):
    pool = make_pool(secret=True)
    pool.add_user("alice")
    monkeypatch.setenv("POOL_SECRET", "not-the-secret-0123456789")
    cognito_config(pool, "http://127.0.0.1:9/jwt/id", client_secret="env:POOL_SECRET")
    stdin(PASSWORD + "\n")
    r = cli(*login_args())
    assert r.code == 9
    assert "Cognito refused the sign-in: NotAuthorizedException" in r.stderr
    assert "not-the-secret-0123456789" not in r.stderr


def test_wrong_password_exits_9_without_echoing_it(cli, stdin, cognito_config, pool):
    # (password flow: moto accepts any SRP proof, so a wrong SRP password cannot be tested)
    cognito_config(pool, "http://127.0.0.1:9/jwt/id", flow="password")
    stdin("Wrong-Passw0rd-xyz!\n")
    r = cli(*login_args("app"), "--username", "alice")
    assert r.code == 9
    assert "Incorrect username or password" in r.stderr
    assert "Wrong-Passw0rd-xyz!" not in r.stderr + r.out


# -- challenges ------------------------------------------------------------------------
@pytest.mark.parametrize("flow", ["srp", "password"])
def test_new_password_required_from_stdin(flow, cli, stdin, cognito_config, make_pool,
                                          jwt_gateway, moto):
    pool = make_pool()
    pool.add_user("bob", confirmed=False)  # admin-created: FORCE_CHANGE_PASSWORD
    jwt_gateway.jwks_url = pool.jwks_url
    cognito_config(pool, f"{jwt_gateway.url}/jwt/id", flow=flow)
    stdin(f"{PASSWORD}\n{NEW_PASSWORD}\n")
    r = cli(*login_args(user="bob"), "--new-password-stdin")
    assert r.code == 0, r.stderr
    assert moto.count("RespondToAuthChallenge") >= 1
    user = pool.idp.admin_get_user(UserPoolId=pool.id, Username="bob")
    assert user["UserStatus"] == "CONFIRMED"
    assert cli("get", "app", "/x").code == 0
    # the new password is the password now
    stdin(NEW_PASSWORD + "\n")
    assert cli(*login_args(user="bob")).code == 0


def test_new_password_required_without_a_terminal_exits_9(cli, stdin, cognito_config, make_pool):
    pool = make_pool()
    pool.add_user("bob", confirmed=False)
    cognito_config(pool, "http://127.0.0.1:9/jwt/id")
    stdin(PASSWORD + "\n")
    r = cli(*login_args(user="bob"))
    assert r.code == 9
    assert "requires a new password" in r.stderr
    assert "--new-password-stdin" in r.stderr


def _enable_totp(pool, username):
    idp = pool.idp
    access = idp.initiate_auth(
        ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": pool.users[username]},
    )["AuthenticationResult"]["AccessToken"]
    idp.associate_software_token(AccessToken=access)
    idp.verify_software_token(AccessToken=access, UserCode="123456")
    idp.admin_set_user_mfa_preference(
        UserPoolId=pool.id, Username=username,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )


@pytest.mark.parametrize("flow", ["srp", "password"])
def test_software_token_mfa_with_mfa_code(flow, cli, stdin, cognito_config, make_pool, moto):
    pool = make_pool()
    pool.add_user("carol")
    _enable_totp(pool, "carol")
    cognito_config(pool, "http://127.0.0.1:9/jwt/id", flow=flow)
    stdin(PASSWORD + "\n")
    r = cli(*login_args(user="carol"))
    assert r.code == 9
    assert "MFA code (SOFTWARE_TOKEN_MFA" in r.stderr and "--mfa-code" in r.stderr
    moto.clear()
    stdin(PASSWORD + "\n")
    r = cli(*login_args(user="carol"), "--mfa-code", "123456")
    assert r.code == 0, r.stderr
    responses = [c.body for c in moto.calls if c.operation == "RespondToAuthChallenge"]
    assert responses[-1]["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert responses[-1]["ChallengeResponses"]["SOFTWARE_TOKEN_MFA_CODE"] == "123456"


def test_wrong_totp_code_exits_9(cli, stdin, cognito_config, make_pool, monkeypatch):
    pool = make_pool()
    pool.add_user("carol")
    _enable_totp(pool, "carol")
    cognito_config(pool, "http://127.0.0.1:9/jwt/id", flow="password")
    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")  # moto checks codes
    stdin(PASSWORD + "\n")
    r = cli(*login_args(user="carol"), "--mfa-code", "000000")
    assert r.code == 9
    assert "CodeMismatchException" in r.stderr


def test_sms_mfa_with_mfa_code(cli, stdin, cognito_config, make_pool, moto):
    pool = make_pool()
    pool.add_user("dave")
    pool.idp.admin_set_user_mfa_preference(
        UserPoolId=pool.id, Username="dave", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    cognito_config(pool, "http://127.0.0.1:9/jwt/id", flow="password")
    stdin(PASSWORD + "\n")
    r = cli(*login_args(user="dave"))
    assert r.code == 9 and "SMS_MFA" in r.stderr
    stdin(PASSWORD + "\n")
    r = cli(*login_args(user="dave"), "--mfa-code", "654321")
    assert r.code == 0, r.stderr
    last = [c.body for c in moto.calls if c.operation == "RespondToAuthChallenge"][-1]
    assert last["ChallengeResponses"]["SMS_MFA_CODE"] == "654321"


# -- id vs access, header and scheme -----------------------------------------------------
def test_access_token_for_routes_that_want_it(cli, stdin, cognito_config, pool, jwt_gateway):
    cognito_config(pool, f"{jwt_gateway.url}/jwt/access", token_use="access")
    sign_in(cli, stdin)
    r = cli("get", "app", "/items")
    assert r.code == 0, r.stderr
    sent = claims(jwt_gateway.last.header("authorization"))
    assert sent["token_use"] == "access"
    assert sorted(sent["cognito:groups"]) == ["admins", "editors"]


def test_id_token_on_an_access_route_is_refused(cli, stdin, cognito_config, pool, jwt_gateway):
    cognito_config(pool, f"{jwt_gateway.url}/jwt/access")  # token_use defaults to id
    sign_in(cli, stdin)
    r = cli("get", "app", "/items")
    assert r.code == 4


def test_bearer_scheme_and_verbose_redaction(cli, stdin, cognito_config, pool, jwt_gateway):
    cognito_config(pool, f"{jwt_gateway.url}/jwt/id", scheme="Bearer")
    sign_in(cli, stdin)
    r = cli("get", "app", "/items", "-v")
    assert r.code == 0, r.stderr
    sent = jwt_gateway.last.header("authorization")
    assert sent.startswith("Bearer ey")
    assert sent.split(" ", 1)[1] not in r.stderr  # -v shows the header redacted


def test_not_signed_in_exits_9_with_the_login_hint(cli, app):
    r = cli("get", "app", "/items")
    assert r.code == 9
    assert "not signed in" in r.stderr
    assert "restcli login app" in r.stderr


# -- the cache -----------------------------------------------------------------------------
def test_cached_call_makes_no_cognito_request(cli, stdin, app, moto, jwt_gateway, isolated):
    sign_in(cli, stdin)
    moto.clear()
    for _ in range(2):
        assert cli("get", "app", "/items").code == 0
    assert moto.count() == 0
    # and with moto gone entirely, a cached call still works
    moto_url = os.environ["AWS_ENDPOINT_URL"]
    os.environ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"
    try:
        assert cli("get", "app", "/items").code == 0
    finally:
        os.environ["AWS_ENDPOINT_URL"] = moto_url


def test_cache_files_are_private(cli, stdin, app, isolated):
    sign_in(cli, stdin)
    root = isolated / ".cache" / "restcli"
    for d in (root, root / "cognito"):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700
    for f in (root / "cognito").glob("*.json"):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert not list((root / "cognito").glob(".*.part"))


def test_refresh_before_expiry_keeps_the_refresh_token(cli, stdin, app, moto, isolated):
    sign_in(cli, stdin)
    before = expire(isolated, seconds_left=60)
    moto.clear()
    assert cli("get", "app", "/items").code == 0
    assert moto.count("InitiateAuth", "REFRESH_TOKEN_AUTH") == 1
    assert moto.count() == 1
    _, after = entry(isolated)
    assert after["refresh_token"] == before["refresh_token"]  # none returned: kept
    assert after["id_token"] != before["id_token"]
    assert after["expires_at"] > time.time() + 3000
    moto.clear()
    assert cli("get", "app", "/items").code == 0
    assert moto.count() == 0


def test_renew_once_after_a_401(cli, stdin, app, moto, jwt_gateway):
    sign_in(cli, stdin)
    moto.clear()
    r = cli("get", "app", "/status/401", "times==1", "then==200")
    assert r.code == 0, r.stderr
    assert moto.count("InitiateAuth", "REFRESH_TOKEN_AUTH") == 1
    first, second = [rec.header("authorization") for rec in jwt_gateway.received[-2:]]
    assert first != second


def test_a_second_401_is_reported_not_retried_forever(cli, stdin, app, moto, jwt_gateway):
    sign_in(cli, stdin)
    moto.clear()
    r = cli("get", "app", "/status/401")
    assert r.code == 4
    assert moto.count("InitiateAuth", "REFRESH_TOKEN_AUTH") == 1


def test_failed_refresh_says_login_and_exits_9(cli, stdin, app, moto, isolated):
    sign_in(cli, stdin)
    saved = {p: p.read_bytes() for p in cache_dir(isolated).glob("*.json")}
    r = cli("logout", "app", "--everywhere")  # GlobalSignOut: refresh tokens are dead
    assert r.code == 0, r.stderr
    assert moto.count("GlobalSignOut") == 1
    for path, data in saved.items():  # as if this machine had missed the sign-out
        path.write_bytes(data)
    expire(isolated, seconds_left=-1)
    r = cli("get", "app", "/items")
    assert r.code == 9
    assert "cannot refresh" in r.stderr and "restcli login app" in r.stderr


def test_corrupt_cache_entry_is_ignored_with_a_warning(cli, stdin, app, isolated):
    sign_in(cli, stdin)
    path, _ = entry(isolated)
    path.write_text("{not json")
    r = cli("get", "app", "/items")
    assert r.code == 9
    assert "warning: ignoring corrupt token cache entry" in r.stderr
    sign_in(cli, stdin)  # a new login replaces it
    assert cli("get", "app", "/items").code == 0


def test_foreign_cache_entry_is_ignored_with_a_warning(cli, stdin, app, isolated):
    sign_in(cli, stdin)
    path, data = entry(isolated)
    data["key"][-1] = "mallory"  # written for another user
    path.write_text(json.dumps(data))
    r = cli("get", "app", "/items")
    assert r.code == 9
    assert "warning: ignoring foreign token cache entry" in r.stderr


def test_one_entry_per_user_and_the_profile_username_wins(cli, stdin, cognito_config, pool,
                                                          jwt_gateway, isolated):
    pool.add_user("erin")
    cognito_config(pool, f"{jwt_gateway.url}/jwt/id")
    sign_in(cli, stdin)  # alice
    stdin(PASSWORD + "\n")
    assert cli(*login_args(user="erin")).code == 0
    assert len(cache_entries(isolated)) == 2
    cli("get", "app", "/x")
    assert claims(jwt_gateway.last.header("authorization"))["cognito:username"] == "erin"
    cognito_config(pool, f"{jwt_gateway.url}/jwt/id", username="alice")
    cli("get", "app", "/x")
    assert claims(jwt_gateway.last.header("authorization"))["cognito:username"] == "alice"


# -- endpoints -------------------------------------------------------------------------------
def test_service_endpoint_variable_wins_over_the_global_one(cli, stdin, app, moto, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", moto.url)
    sign_in(cli, stdin)
    assert moto.count("InitiateAuth") == 1


def test_global_endpoint_variable_alone(cli, stdin, app, moto, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    stdin(PASSWORD + "\n")
    r = cli(*login_args())
    assert r.code == 9
    assert "127.0.0.1:9" in r.stderr
