"""Fixtures for the Cognito tests: moto's server, user pools and users, cognito profiles.

Used through `pytest_plugins = ["tests.support.cognito_fixtures"]` in the Cognito test modules.
One moto server per test module (moto keeps its state in the process; every test makes
its own pool, so tests never see each other's users).
"""

from __future__ import annotations

import http.server
import json
import threading
import uuid
from dataclasses import dataclass, field

import pytest

from tests.support.cognito_helpers import PASSWORD, REGION
from tests.support.moto_server import CountingMotoServer


@pytest.fixture(scope="module")
def moto_server():
    server = CountingMotoServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def moto(moto_server, monkeypatch):
    """moto, with the AWS endpoint variables pointing at it and dummy admin credentials."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", REGION)
    moto_server.clear()
    moto_server.delays.clear()
    return moto_server


@pytest.fixture(scope="module")
def _idp_client(moto_server):
    import boto3

    return boto3.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=moto_server.url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def idp(_idp_client, moto):
    """A boto3 client for admin set-up calls (explicit endpoint_url and credentials)."""
    return _idp_client


@dataclass
class Pool:
    idp: object
    moto: CountingMotoServer
    id: str
    client_id: str
    client_secret: str | None = None
    users: dict = field(default_factory=dict)

    @property
    def jwks_url(self) -> str:
        return f"{self.moto.url}/{self.id}/.well-known/jwks.json"

    def add_user(self, username: str = "alice", password: str = PASSWORD, *,
                 confirmed: bool = True, groups=(), email: str | None = None) -> str:
        attrs = [{"Name": "email", "Value": email}] if email else []
        self.idp.admin_create_user(
            UserPoolId=self.id, Username=username, TemporaryPassword=password,
            MessageAction="SUPPRESS", UserAttributes=attrs,
        )
        if confirmed:
            self.idp.admin_set_user_password(
                UserPoolId=self.id, Username=username, Password=password, Permanent=True
            )
        for group in groups:
            try:
                self.idp.create_group(GroupName=group, UserPoolId=self.id)
            except self.idp.exceptions.GroupExistsException:
                pass
            self.idp.admin_add_user_to_group(UserPoolId=self.id, Username=username, GroupName=group)
        self.users[username] = password
        return username


def _make_pool(idp, moto_server, secret: bool = False, **pool_args) -> Pool:
    pool_id = idp.create_user_pool(PoolName=f"pool-{uuid.uuid4().hex[:8]}", **pool_args)[
        "UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="cli", GenerateSecret=secret,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH",
                           "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    return Pool(idp, moto_server, pool_id, client["ClientId"], client.get("ClientSecret"))


@pytest.fixture
def make_pool(idp, moto):
    """A new pool and app client (moto takes a while to make a pool: use `pool` if you can)."""

    def make(secret: bool = False, **pool_args) -> Pool:
        return _make_pool(idp, moto, secret, **pool_args)

    return make


@pytest.fixture(scope="module")
def _shared_pool(_idp_client, moto_server):
    p = _make_pool(_idp_client, moto_server)
    p.add_user("alice", groups=("admins", "editors"))
    return p


@pytest.fixture
def pool(_shared_pool, moto):
    """The module's pool: no client secret, user alice (groups admins and editors)."""
    return _shared_pool


@pytest.fixture
def jwt_gateway(gateway, pool):
    """The test gateway verifying JWTs against moto's JWKS for `pool`."""
    gateway.jwks_url = pool.jwks_url
    return gateway


@pytest.fixture
def cognito_config(write_config, monkeypatch):
    """Write a profiles file with one cognito profile `app` (plus extra keys) and use it."""

    def write(pool: Pool, endpoint: str, name: str = "app", extra: str = "", **keys) -> str:
        lines = [
            f"[profiles.{name}]",
            f'endpoint = "{endpoint}"',
            'auth = "cognito"',
            f'user_pool_id = "{pool.id}"',
            f'client_id = "{pool.client_id}"',
            "timeout = 5",
        ]
        for k, v in keys.items():
            lines.append(f"{k} = {json.dumps(v)}")
        path = write_config("\n".join(lines) + "\n" + extra)
        monkeypatch.setenv("RESTCLI_CONFIG", str(path))
        return path

    return write


@pytest.fixture
def stdin(monkeypatch):
    """Feed text to an in-process command's stdin (not a terminal)."""
    import io
    import sys

    def feed(text: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))

    return feed


class OAuthStub:
    """A user-pool domain's /oauth2/token on 127.0.0.1 (moto has none): client_credentials.

    Issues RS256 JWT access tokens signed by a JwtIssuer (tests/support/gateway.py), so the test
    gateway can verify them with `gateway.jwks_url = stub.issuer.jwks_url`.
    """

    def __init__(self, client_id: str, client_secret: str, scopes=("items/read",)):
        from tests.support.gateway import JwtIssuer

        self.client_id = client_id
        self.client_secret = client_secret
        self.scopes = set(scopes)
        self.issuer = JwtIssuer().start()
        self.requests: list[dict] = []
        self.expires_in = 3600
        self._server = None

    def start(self) -> OAuthStub:
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                import base64
                import urllib.parse

                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                form = dict(urllib.parse.parse_qsl(body))
                auth = self.headers.get("Authorization", "")
                stub.requests.append({"path": self.path, "form": form, "auth": auth})
                status, answer = 200, None
                try:
                    user, _, pw = base64.b64decode(auth.split(" ", 1)[1]).decode().partition(":")
                except Exception:  # noqa: BLE001
                    user = pw = ""
                if self.path != "/oauth2/token":
                    status, answer = 404, {"error": "not_found"}
                elif (user, pw) != (stub.client_id, stub.client_secret):
                    status, answer = 400, {"error": "invalid_client"}
                elif form.get("grant_type") != "client_credentials":
                    status, answer = 400, {"error": "unsupported_grant_type"}
                elif form.get("scope") and not set(form["scope"].split()) <= stub.scopes:
                    status, answer = 400, {"error": "invalid_scope"}
                else:
                    scope = form.get("scope") or " ".join(sorted(stub.scopes))
                    token = stub.issuer.mint(
                        token_use="access", sub=stub.client_id, client_id=stub.client_id, username=None,
                        scope=scope, expires_in=stub.expires_in, jti=str(uuid.uuid4()),
                    )
                    answer = {"access_token": token, "expires_in": stub.expires_in,
                              "token_type": "Bearer"}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self.issuer.stop()


@pytest.fixture
def oauth_stub():
    stub = OAuthStub("m2m-client", "m2m-secret-0123456789").start()
    yield stub
    stub.stop()


@pytest.fixture
def identity_pool(moto, pool):
    """An identity pool (guest access on) trusting `pool`'s app client; its id."""
    import boto3

    ci = boto3.client("cognito-identity", region_name=REGION, endpoint_url=moto.url,
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    return ci.create_identity_pool(
        IdentityPoolName="restcli tests",
        AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{
            "ProviderName": f"cognito-idp.{REGION}.amazonaws.com/{pool.id}",
            "ClientId": pool.client_id,
        }],
    )["IdentityPoolId"]
