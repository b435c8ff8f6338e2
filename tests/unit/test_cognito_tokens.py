"""The cognito mode without a network: declared keys, token choice, refresh rules, SECRET_HASH."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest

from restcli.app import App
from restcli.auth import cognito as mode
from restcli.auth import token as token_mode
from restcli.cognito import account as acct
from restcli.cognito import claims, userpool
from restcli.cognito.account import Account, Tokens
from restcli.cognito.cache import Cache
from restcli.config import Profile, parse
from restcli.errors import ConfigError, CredentialsError
from restcli.params import ProfileValues
from restcli.secrets import Redactor


def jwt(**payload) -> str:
    def b64(obj) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'RS256'})}.{b64(payload)}.sig"


def settings(**values) -> ProfileValues:
    base = {p.name: p.default for p in mode.PARAMS}
    base.update({"user_pool_id": "eu-west-1_Abc", "client_id": "client1"})
    base.update(values)
    app = App()
    return ProfileValues(Profile("p", "https://api.example.com", base), mode.MODE, app.redactor, app.warn)


# -- declared keys -------------------------------------------------------------------------
def test_params_declare_kinds_secrets_and_choices():
    params = {p.name: p for p in mode.PARAMS}
    assert params["client_secret"].secret and params["token"].secret
    assert params["token_use"].choices == ("id", "access")
    assert params["flow"].choices == ("srp", "password", "client_credentials")
    assert params["flow"].default is None  # = srp; None keeps `profiles show` of other modes quiet
    assert Account(settings()).flow == "srp"
    # the identity-pool keys: declared by cognito for now, by iam once it is wired
    from restcli.config import all_params

    everywhere = all_params()
    assert everywhere["guest"].kind is bool and everywhere["guest"].default is False
    assert "identity_pool_id" in everywhere


def test_shared_keys_mean_what_they_mean_for_the_token_mode():
    ours = {p.name: p for p in mode.PARAMS}
    for theirs in token_mode.PARAMS:
        if theirs.name in ours:
            assert (ours[theirs.name].default, ours[theirs.name].secret) == (
                theirs.default, theirs.secret)
    assert ours["header"].default == "Authorization" and ours["scheme"].default == ""


def test_config_validation_accepts_cognito_keys_and_checks_choices(tmp_path):
    good = b'''
[profiles.a]
endpoint = "https://x.execute-api.us-east-1.amazonaws.com/prod"
auth = "cognito"
user_pool_id = "us-east-1_0123456789abcdef0123456789abcdef"
client_id = "abc"
client_secret = "env:S"
token_use = "access"
flow = "password"
username = "alice"
scopes = "items/read items/write"
identity_pool_id = "us-east-1:0000"
guest = true
'''
    cfg = parse(good, tmp_path / "p.toml")
    assert cfg.profiles["a"].values["guest"] is True
    bad = b'''
[profiles.a]
endpoint = "https://x"
auth = "cognito"
token_use = "refresh"
flow = "implicit"
guest = "yes"
'''
    with pytest.raises(ConfigError) as e:
        parse(bad, tmp_path / "p.toml").check()
    problems = "\n".join(e.value.problems)
    assert "token_use: must be one of id, access" in problems
    assert "flow: must be one of srp, password, client_credentials" in problems
    assert "guest: must be true or false" in problems


# -- settings ------------------------------------------------------------------------------
def test_region_from_the_pool_id_unless_set():
    assert Account(settings()).region == "eu-west-1"
    assert Account(settings(region="us-west-2")).region == "us-west-2"
    with pytest.raises(ConfigError):
        Account(settings(user_pool_id="nonsense")).region  # noqa: B018


def test_token_use_defaults():
    assert Account(settings()).token_use == "id"
    assert Account(settings(token_use="access")).token_use == "access"
    assert Account(settings(flow="client_credentials")).token_use == "access"
    with pytest.raises(ConfigError):
        Account(settings(flow="client_credentials", token_use="id")).token_use  # noqa: B018


def test_missing_pool_or_client_is_a_config_error():
    with pytest.raises(ConfigError, match="user_pool_id"):
        Account(settings(user_pool_id=None)).pool_id  # noqa: B018
    with pytest.raises(ConfigError, match="client_id"):
        Account(settings(client_id="")).client_id  # noqa: B018


def test_client_secret_is_resolved_only_when_needed(isolated):
    s = settings(client_secret="env:UNSET_SECRET_VAR")
    account = Account(s, cache=Cache(isolated / "c"))
    account.key()  # no secret needed to find the cache entry
    with pytest.raises(CredentialsError, match="UNSET_SECRET_VAR"):
        account.client_secret()


# -- injected tokens -------------------------------------------------------------------------
def test_restcli_token_wins_over_the_profile_token(monkeypatch):
    monkeypatch.setenv("PROFILE_TOKEN", "from-profile-0123")
    s = settings(token="env:PROFILE_TOKEN")
    assert acct.injected_token(s)[0] == "from-profile-0123"
    monkeypatch.setenv("RESTCLI_TOKEN", "from-env-0123456")
    assert acct.injected_token(s) == ("from-env-0123456", "RESTCLI_TOKEN")
    assert "from-env-0123456" in s.redactor.values


def test_injected_token_auth_never_renews(monkeypatch):
    monkeypatch.setenv("RESTCLI_TOKEN", "tok-0123456789")
    auth = mode.build(settings(scheme="Bearer", header="X-Auth"))

    class Req:
        headers: dict = {}

    req = auth(Req())
    assert req.headers["X-Auth"] == "Bearer tok-0123456789"
    assert auth.sensitive_headers == ("X-Auth",)
    assert auth.renew_after_401(None) is False


# -- tokens and refresh ----------------------------------------------------------------------
def test_claims_are_read_without_verification():
    t = jwt(username="internal-id", token_use="access")
    assert claims.read(t) == {"username": "internal-id", "token_use": "access"}
    assert claims.read("not a jwt") == {} and claims.read("a.!!!.c") == {}
    assert claims.internal_username(jwt(**{"cognito:username": "u1"}), None) == "u1"
    assert claims.internal_username(jwt(), jwt(username="u2")) == "u2"


def test_secret_hash_matches_pycognito():
    from pycognito.aws_srp import AWSSRP

    assert userpool.secret_hash("alice", "client1", "s3cr3t") == AWSSRP.get_secret_hash(
        "alice", "client1", "s3cr3t")


def test_a_refresh_keeps_the_refresh_token_when_none_comes_back():
    old = Tokens("a0", time.time(), "i0", "r0", "alice", "srp")
    new = Tokens.from_result({"AccessToken": "a1", "IdToken": "i1", "ExpiresIn": 3600},
                             "alice", "srp", previous=old)
    assert new.refresh_token == "r0" and new.access_token == "a1"
    assert new.fresh() and not old.fresh()
    assert not Tokens("a", time.time() + acct.REFRESH_MARGIN - 1).fresh()


@pytest.fixture
def cognito_calls(monkeypatch):
    """Record user-pool calls instead of making them."""
    calls = []

    def fake(url, target, payload, timeout=None):
        calls.append((target.rsplit(".", 1)[-1], payload))
        return {"AuthenticationResult": {"AccessToken": jwt(username="sub-1234", n=len(calls)),
                                         "IdToken": jwt(**{"cognito:username": "sub-1234"}),
                                         "ExpiresIn": 3600}}

    monkeypatch.setattr("restcli.cognito.awsjson.call", fake)
    return calls


def _signed_in(tmp_path: Path, **values) -> Account:
    account = Account(settings(username="alice@example.com", **values), cache=Cache(tmp_path))
    old = Tokens(jwt(username="sub-1234"), time.time() - 1, jwt(**{"cognito:username": "sub-1234"}),
                 "refresh-0", "alice@example.com", "srp")
    account.cache.write(account.key(), old.entry())
    return account


def test_refresh_secret_hash_uses_the_internal_username_not_the_alias(tmp_path, cognito_calls):
    account = _signed_in(tmp_path, client_secret="s3cr3t")
    tokens = account.tokens()
    ((op, payload),) = cognito_calls
    assert op == "InitiateAuth" and payload["AuthFlow"] == "REFRESH_TOKEN_AUTH"
    params = payload["AuthParameters"]
    assert params["REFRESH_TOKEN"] == "refresh-0"
    assert params["SECRET_HASH"] == userpool.secret_hash("sub-1234", "client1", "s3cr3t")
    assert tokens.refresh_token == "refresh-0" and tokens.fresh()
    assert account.cached().access_token == tokens.access_token


def test_no_secret_hash_without_a_client_secret(tmp_path, cognito_calls):
    _signed_in(tmp_path).tokens()
    assert "SECRET_HASH" not in cognito_calls[0][1]["AuthParameters"]


def test_renew_after_401_refreshes_even_fresh_tokens_once(tmp_path, cognito_calls):
    account = _signed_in(tmp_path)
    fresh = account.tokens()
    assert len(cognito_calls) == 1
    assert account.tokens() is not None and len(cognito_calls) == 1  # cached: no call
    renewed = account.renew(fresh.id_token)
    # the id token did not change in this fake, so the access token tells them apart
    assert len(cognito_calls) == 2 and renewed.access_token != fresh.access_token


def test_renew_uses_a_token_another_process_already_renewed(tmp_path, cognito_calls):
    account = _signed_in(tmp_path, token_use="access")
    stale = account.tokens().access_token
    other = Tokens(jwt(username="sub-1234", other=True), time.time() + 3600, None, "refresh-0",
                   "alice@example.com", "srp")
    account.cache.write(account.key(), other.entry())
    assert account.renew(stale).access_token == other.access_token
    assert len(cognito_calls) == 1


def test_refused_refresh_says_login(tmp_path, monkeypatch):
    from restcli.cognito.awsjson import AwsError

    def refuse(*a, **k):
        raise AwsError("NotAuthorizedException", "Refresh Token has been revoked", 400)

    monkeypatch.setattr("restcli.cognito.awsjson.call", refuse)
    with pytest.raises(CredentialsError) as e:
        _signed_in(tmp_path).tokens()
    assert e.value.exit_code == 9
    assert "Refresh Token has been revoked" in e.value.message
    assert e.value.hint == "run: restcli login p"


def test_unreachable_cognito_on_refresh_exits_9(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    with pytest.raises(CredentialsError) as e:
        _signed_in(tmp_path).tokens()
    assert "cannot refresh the tokens" in e.value.message
    assert "restcli login p" in e.value.hint


def test_token_reference_for_curl(isolated, monkeypatch, tmp_path):
    from platformdirs import user_config_dir

    default = Path(user_config_dir("restcli", appauthor=False)) / "profiles.toml"
    base = {p.name: p.default for p in mode.PARAMS}
    s = ProfileValues(Profile("app", "https://x", base, file=default), mode.MODE, Redactor())
    assert mode.token_reference(s, "id") == "command:restcli auth token app --id"
    other = tmp_path / "my profiles.toml"
    s = ProfileValues(Profile("app", "https://x", base, file=other), mode.MODE, Redactor())
    assert mode.token_reference(s, "access") == (
        f"command:restcli --config '{other}' auth token app --access")


# -- warnings, renewal, token URLs and one translation of transport errors ----------------
def _fresh_in_default_cache(**values) -> ProfileValues:
    s = settings(username="alice", **values)
    account = Account(s)
    tokens = Tokens(jwt(username="sub-1"), time.time() + 3600, jwt(**{"cognito:username": "alice"}),
                    "refresh-0", "alice", "srp")
    account.cache.write(account.key(), tokens.entry())
    return s


def test_the_mode_warns_through_settings_warn_scrubbed(isolated, monkeypatch, capsys):
    monkeypatch.setenv("POOL_SECRET", "client-secret-0123456789")
    s = _fresh_in_default_cache(client_secret="env:POOL_SECRET")
    s["client_secret"]  # resolved: the redactor knows it
    auth = mode.build(s)
    assert auth.account.warn == s.warn
    assert auth.account.cache.warn == s.warn
    auth.account.warn("cache entry for client-secret-0123456789 is odd")
    err = capsys.readouterr().err
    assert err.startswith("restcli: warning: cache entry for")
    assert "client-secret-0123456789" not in err
    assert not hasattr(mode, "_warn")


def test_renew_after_401_changes_the_header_sent(isolated, monkeypatch):
    from restcli.auth.base import HeaderAuth

    s = _fresh_in_default_cache(scheme="Bearer")
    auth = mode.build(s)
    assert isinstance(auth, HeaderAuth)

    class Req:
        def __init__(self):
            self.headers = {}

    before = auth(Req()).headers["Authorization"]
    renewed = Tokens(jwt(username="sub-1", n=2), time.time() + 3600,
                     jwt(**{"cognito:username": "alice", "n": 2}), "refresh-0", "alice", "srp")
    monkeypatch.setattr(auth.account, "renew", lambda stale: renewed)
    assert auth.renew_after_401(None) is True
    assert auth.token == renewed.id_token
    assert auth(Req()).headers["Authorization"] == f"Bearer {renewed.id_token}" != before
    assert auth.renew_after_401(None) is False  # the same token again: nothing to retry


def test_token_reference_asks_locations_for_the_default_path(monkeypatch, tmp_path):
    import restcli.locations

    mine = tmp_path / "elsewhere" / "profiles.toml"
    monkeypatch.setattr(restcli.locations, "default_path", lambda: mine)
    base = {p.name: p.default for p in mode.PARAMS}
    s = ProfileValues(Profile("app", "https://x", base, file=mine), mode.MODE, Redactor())
    assert mode.token_reference(s, "id") == "command:restcli auth token app --id"
    assert not hasattr(mode, "_default_config_path")


@pytest.mark.parametrize("domain,url", [
    ("myapp.auth.us-east-1.amazoncognito.com",
     "https://myapp.auth.us-east-1.amazoncognito.com/oauth2/token"),
    ("https://myapp.example.com/", "https://myapp.example.com/oauth2/token"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080/oauth2/token"),
    ("http://[::1]:8080/", "http://[::1]:8080/oauth2/token"),
    ("http://localhost:8080", "http://localhost:8080/oauth2/token"),
    ("HTTP://LOCALHOST", "HTTP://LOCALHOST/oauth2/token"),
])
def test_token_url_allows_https_and_loopback_http(domain, url):
    from restcli.cognito.oauth import token_url

    assert token_url(domain) == url


@pytest.mark.parametrize("domain", [
    "http://myapp.auth.us-east-1.amazoncognito.com",
    "HTTP://myapp.example.com",
    "http://localhost.example.com",
    "http://127.0.0.1@example.com",
    "http://127.0.0.1.nip.io",
    "http://[::1",
])
def test_token_url_refuses_plain_http_elsewhere(domain):
    from restcli.cognito.oauth import token_url

    with pytest.raises(ConfigError) as e:
        token_url(domain, "profile 'm', key 'domain'")
    assert e.value.exit_code == 8
    assert "profile 'm', key 'domain'" in e.value.message and "clear text" in e.value.message


def test_plain_http_domain_is_refused_before_the_secret_is_resolved(monkeypatch):
    import requests

    monkeypatch.setattr(requests.Session, "post", lambda *a, **k: pytest.fail("sent"))
    s = settings(flow="client_credentials", domain="http://auth.example.com",
                 client_secret="env:UNSET_SECRET_VAR")
    with pytest.raises(ConfigError) as e:
        Account(s).tokens()
    assert "profile 'p', key 'domain'" in e.value.message


def test_transport_errors_become_one_credentials_error():
    import requests

    from restcli.cognito import awsjson

    err = awsjson.unreachable(requests.ConnectionError("refused"), "do it for profile 'p'")
    assert isinstance(err, CredentialsError) and err.exit_code == 9
    assert err.message == "cannot do it for profile 'p': cannot connect to the server: refused"
    assert err.hint == awsjson.NETWORK_HINT
    timeout = awsjson.unreachable(requests.ReadTimeout("slow"), "x", hint="h")
    assert timeout.message.startswith("cannot x: no response from") and timeout.hint == "h"
    bug = KeyError("AuthenticationResult")
    assert awsjson.unreachable(bug, "x") is bug  # not a transport failure: left as it is
    assert awsjson.transport_detail(requests.ConnectionError("down")) == "cannot connect to the server: down"


@pytest.mark.parametrize("flow", ["srp", "client_credentials"])
def test_refresh_and_client_credentials_use_the_one_translation(tmp_path, monkeypatch, flow):
    import requests

    from restcli.cognito import awsjson

    seen = []
    real = awsjson.unreachable
    monkeypatch.setattr(awsjson, "unreachable",
                        lambda e, doing, *a: seen.append(doing) or real(e, doing, *a))

    def down(*a, **k):
        raise requests.ConnectionError("cognito is down")

    monkeypatch.setattr(requests.Session, "post", down)
    if flow == "srp":
        account = _signed_in(tmp_path)
        doing = "refresh the tokens for profile 'p'"
    else:
        monkeypatch.setenv("M2M_SECRET", "m2m-secret-0123456789")
        account = Account(settings(flow="client_credentials", domain="auth.example.com",
                                   client_secret="env:M2M_SECRET"), cache=Cache(tmp_path))
        doing = "get a client_credentials token for profile 'p'"
    with pytest.raises(CredentialsError) as e:
        account.tokens()
    assert seen == [doing]
    assert e.value.message == f"cannot {doing}: cannot connect to the server: cognito is down"
    assert e.value.hint == f"{awsjson.NETWORK_HINT}; if it persists, run: restcli login p"
