"""The cached-cognito row's set-up: a sign-in with `restcli login` against moto's Cognito."""

from __future__ import annotations

import logging
import subprocess

from .consts import REGION
from .measure import last_line
from .servers import Counter, free_port

USER, PASSWORD = "bench-user", "Bench-Passw0rd!"


def _user_pool(moto_url: str) -> tuple[str, str]:
    """A user pool with one confirmed user on moto; (pool id, app client id)."""
    import boto3

    idp = boto3.client("cognito-idp", region_name=REGION, endpoint_url=moto_url,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    pool = idp.create_user_pool(PoolName="bench")["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="bench",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username=USER, TemporaryPassword="Tmp-Passw0rd!1",
                          MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username=USER, Password=PASSWORD, Permanent=True)
    return pool, client


def _login(bench, moto_url: str, profile: str) -> None:
    """`restcli login --password-stdin`: the default flow (SRP), then plain password."""
    login_env = bench.base_env(AWS_ENDPOINT_URL=moto_url, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=moto_url)
    problems = []
    for extra in ("", 'flow = "password"\n'):
        bench.write_config(profile + extra)
        res = subprocess.run(bench.rc("login", "cog", "--username", USER, "--password-stdin"),
                             input=PASSWORD + "\n", env=login_env, capture_output=True, text=True,
                             timeout=60, check=False)
        if res.returncode == 0:
            return
        problems.append(f"exit {res.returncode}: {last_line(res.stderr.encode())}")
    bench.write_config()
    raise RuntimeError("restcli login failed: " + "; ".join(problems))


def prepare_cognito(bench) -> dict:
    """Sign in once with `restcli login` against moto on 127.0.0.1; return the env for
    cached calls, whose AWS endpoints all point at a counter that must stay at zero."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log

    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    moto_url = f"http://127.0.0.1:{port}"
    try:
        pool, client = _user_pool(moto_url)
        bench.gw.jwks_url = f"{moto_url}/{pool}/.well-known/jwks.json"
        profile = (
            f'\n[profiles.cog]\nendpoint = "{bench.url}/jwt/id"\nauth = "cognito"\n'
            f'user_pool_id = "{pool}"\nclient_id = "{client}"\nregion = "{REGION}"\n'
        )
        _login(bench, moto_url, profile)
        # one call while moto runs, so the gateway fetches and caches the JWKS
        bench.counter = Counter()
        env = bench.base_env(AWS_ENDPOINT_URL=bench.counter.url,
                             AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=bench.counter.url,
                             AWS_ENDPOINT_URL_COGNITO_IDENTITY=bench.counter.url,
                             AWS_ENDPOINT_URL_STS=bench.counter.url)
        res = subprocess.run(bench.rc("get", "cog", "/items"), env=env, capture_output=True, timeout=60, check=False)
        if res.returncode != 0:
            raise RuntimeError(f"first cached call: exit {res.returncode}: {last_line(res.stderr)}")
        return env
    finally:
        moto.stop()  # measured calls run without any Cognito
