"""Identity-pool credentials without a network: the calls made, caching, errors."""

from __future__ import annotations

import base64
import json
import time

import pytest

from restcli.auth import cognito as mode
from restcli.cognito import identity
from restcli.cognito.awsjson import AwsError
from restcli.config import Profile
from restcli.errors import ConfigError, CredentialsError

POOL = "eu-west-1:11111111-2222-3333-4444-555555555555"


def jwt(**payload) -> str:
    def b64(obj) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'RS256'})}.{b64(payload)}.sig"


def profile(**values) -> Profile:
    base = {p.name: p.default for p in mode.PARAMS}
    base.update({"identity_pool_id": POOL})
    base.update(values)
    return Profile("app", "https://x.execute-api.eu-west-1.amazonaws.com/prod", base)


class FakeIdentityPool:
    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.fail: dict[str, list[AwsError]] = {}
        self.expires_in = 3600.0

    def __call__(self, url, target, payload, timeout=None):
        op = target.rsplit(".", 1)[-1]
        self.calls.append((op, dict(payload)))
        if self.fail.get(op):
            raise self.fail[op].pop(0)
        if op == "GetId":
            return {"IdentityId": f"eu-west-1:id-{len(self.calls)}"}
        return {
            "IdentityId": payload["IdentityId"],
            "Credentials": {"AccessKeyId": "ASIAFAKE", "SecretKey": "fake-secret-key",
                            "SessionToken": "fake-session-token",
                            "Expiration": time.time() + self.expires_in},
        }


@pytest.fixture
def fake(monkeypatch, isolated):
    f = FakeIdentityPool()
    monkeypatch.setattr("restcli.cognito.awsjson.call", f)
    return f


def test_pool_region():
    assert identity.pool_region(POOL) == "eu-west-1"
    with pytest.raises(ConfigError):
        identity.pool_region("not-a-pool")


def test_guest_credentials_then_cached(fake):
    creds = identity.credentials(profile())
    assert creds[:3] == ("ASIAFAKE", "fake-secret-key", "fake-session-token")
    assert creds[3] > time.time() + 3000
    assert [op for op, _ in fake.calls] == ["GetId", "GetCredentialsForIdentity"]
    assert all("Logins" not in p for _, p in fake.calls)
    identity.credentials(profile())
    assert len(fake.calls) == 2


def test_credentials_near_expiry_are_refetched_with_the_same_identity(fake):
    fake.expires_in = identity.CREDENTIALS_MARGIN - 1
    identity.credentials(profile())
    identity.credentials(profile())
    ops = [op for op, _ in fake.calls]
    assert ops == ["GetId", "GetCredentialsForIdentity", "GetCredentialsForIdentity"]
    assert fake.calls[1][1]["IdentityId"] == fake.calls[2][1]["IdentityId"]


def test_a_vanished_identity_is_replaced_once(fake):
    fake.expires_in = 0
    identity.credentials(profile())
    fake.fail["GetCredentialsForIdentity"] = [AwsError("ResourceNotFoundException", "gone", 400)]
    identity.credentials(profile())
    ops = [op for op, _ in fake.calls]
    assert ops == ["GetId", "GetCredentialsForIdentity", "GetCredentialsForIdentity", "GetId",
                   "GetCredentialsForIdentity"]


def test_no_guest_access_says_sign_in(fake):
    fake.fail["GetId"] = [AwsError("NotAuthorizedException",
                                   "Unauthenticated access is not supported for this identity pool.",
                                   400)]
    with pytest.raises(CredentialsError) as e:
        identity.credentials(profile())
    assert "restcli login app" in e.value.hint


def test_injected_id_token_is_used_and_nothing_cached(fake, monkeypatch, isolated):
    token = jwt(sub="s-1", token_use="id")
    monkeypatch.setenv("RESTCLI_TOKEN", token)
    p = profile(user_pool_id="eu-west-1_Pool", client_id="c1")
    identity.credentials(p)
    identity.credentials(p)
    provider = "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool"
    assert all(payload["Logins"] == {provider: token} for _, payload in fake.calls)
    assert len(fake.calls) == 4  # not cached
    assert not list((isolated / ".cache").rglob("awscreds-*.json"))


def test_injected_access_token_is_refused(fake, monkeypatch):
    monkeypatch.setenv("RESTCLI_TOKEN", jwt(sub="s-1", token_use="access"))
    with pytest.raises(CredentialsError, match="ID token"):
        identity.credentials(profile(user_pool_id="eu-west-1_Pool", client_id="c1"))


def test_guest_wins_over_a_sign_in(fake, monkeypatch):
    monkeypatch.setenv("RESTCLI_TOKEN", jwt(sub="s-1", token_use="id"))
    identity.credentials(profile(user_pool_id="eu-west-1_Pool", client_id="c1", guest=True))
    assert all("Logins" not in payload for _, payload in fake.calls)


def test_source_for_the_iam_mode(fake):
    from restcli.aws.credentials import Frozen
    from restcli.secrets import Redactor

    redactor = Redactor()
    source = identity.IdentityPoolSource(profile(), redactor)
    assert source.get() == Frozen("ASIAFAKE", "fake-secret-key", "fake-session-token")
    assert source.profile_region() == "eu-west-1"
    assert source.aws_profile is None and POOL in source.label
    assert {"fake-secret-key", "fake-session-token"} <= redactor.values
    assert len(fake.calls) == 2
    source._creds = source._creds[:3] + (time.time() + 1,)  # about to expire in memory
    source.get()
    assert source._creds[3] > time.time() + 3000  # re-read: the cache had fresh ones
    assert len(fake.calls) == 2


@pytest.mark.parametrize("value", [1700000000, 1700000000.5, "2023-11-14T22:13:20Z"])
def test_expiration_forms(value):
    assert int(identity._epoch(value)) == 1700000000


def test_works_when_the_iam_mode_declares_identity_pool_id_and_guest(fake, monkeypatch):
    # the lead may move these two keys to the iam mode's Params
    trimmed = tuple(p for p in mode.PARAMS if p.name not in ("identity_pool_id", "guest"))
    monkeypatch.setattr(mode.MODE, "params", trimmed)
    monkeypatch.setenv("RESTCLI_TOKEN", jwt(sub="s-1", token_use="id"))
    identity.credentials(profile(user_pool_id="eu-west-1_Pool", client_id="c1", guest=True))
    identity.credentials(profile(user_pool_id="eu-west-1_Pool", client_id="c1"))
    assert "Logins" not in fake.calls[0][1] and "Logins" in fake.calls[-1][1]


# -- warnings scrubbed, transport errors translated once -----------------------------------
def test_source_warnings_are_scrubbed(fake, capsys):
    from restcli.app import App

    app = App()
    source = identity.IdentityPoolSource(profile(), app.redactor, warn=app.warn)
    assert source.reads_environment is False  # still a Source for the iam mode
    source.warn("odd entry holding fake-secret-key")
    err = capsys.readouterr().err
    assert err.startswith("restcli: warning: odd entry holding")
    assert "fake-secret-key" not in err
    assert not hasattr(identity, "_stderr_warning")


def test_cache_warnings_of_the_iam_mode_reach_stderr_scrubbed(fake, isolated, capsys):
    from restcli.app import App
    from restcli.auth import iam
    from restcli.params import ProfileValues

    identity.credentials(profile())
    (entry,) = (isolated / ".cache" / "restcli" / "cognito").glob("awscreds-*.json")
    entry.write_text("{not json")
    app = App()
    redactor = app.redactor
    redactor.add(str(entry))  # stands in for a secret that happens to be in a warning
    auth = iam.MODE.build(ProfileValues(profile(), iam.MODE, redactor, app.warn))
    auth.credentials.get()
    err = capsys.readouterr().err
    assert "restcli: warning: ignoring corrupt token cache entry" in err
    assert str(entry) not in err


def test_identity_pool_transport_errors_use_the_one_translation(monkeypatch, isolated):
    import requests

    from restcli.cognito import awsjson

    seen = []
    real = awsjson.unreachable
    monkeypatch.setattr(awsjson, "unreachable",
                        lambda e, doing, *a: seen.append(doing) or real(e, doing, *a))

    def down(*a, **k):
        raise requests.ConnectionError("identity pool is down")

    monkeypatch.setattr(requests.Session, "post", down)
    with pytest.raises(CredentialsError) as e:
        identity.credentials(profile())
    doing = f"get credentials from identity pool {POOL} for profile 'app'"
    assert seen == [doing]
    assert e.value.message == f"cannot {doing}: cannot connect to the server: identity pool is down"
    assert e.value.hint == awsjson.NETWORK_HINT


def test_offline_with_an_injected_token_never_uses_the_guest_roles_cache(fake, monkeypatch):
    p = profile(user_pool_id="eu-west-1_Pool", client_id="c1")
    identity.credentials(p)  # nobody signed in: the guest role's keys are cached
    assert fake.calls and identity.credentials(p)[0] == "ASIAFAKE"
    monkeypatch.setenv("RESTCLI_TOKEN", jwt(sub="s-1", token_use="id"))
    fake.calls.clear()
    warnings = []
    access_key = identity.credentials(p, warn=warnings.append, offline=True)[0]
    assert fake.calls == []  # offline: nothing fetched
    assert access_key != "ASIAFAKE"  # not the guest role's cached keys
    assert any("placeholders" in w for w in warnings)
