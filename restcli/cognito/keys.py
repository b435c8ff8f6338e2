"""The profile keys a Cognito user pool needs, declared once.

The cognito auth mode offers them, and the identity pool (for the iam mode) reads the
same keys to sign a user in, without either importing the other.
"""

from __future__ import annotations

from ..hosts import domain_problem, header_name_problem, region_problem, user_pool_id_problem
from ..params import Declared, Param

PARAMS = (
    Param("user_pool_id", "Cognito user pool id, e.g. us-east-1_AbC123",
          check=user_pool_id_problem),
    Param("client_id", "app client id of the user pool"),
    Param(
        "client_secret",
        "app client secret, if the client has one (a secret reference: env:, file:, command:)",
        secret=True,
    ),
    Param("region", "region of the user pool (default: from user_pool_id)",
          check=region_problem),
    Param(
        "token_use",
        'token to send: "id" (default; what a Cognito authorizer without OAuth scopes wants) '
        'or "access" (carries scopes and groups; the only one with client_credentials)',
        choices=("id", "access"),
    ),
    Param("header", "header that carries the token", default="Authorization",
          check=header_name_problem),
    Param("scheme", 'prefix before the token, e.g. "Bearer"; "" sends it raw', default=""),
    Param(
        "flow",
        'how tokens are got: "srp" (default; restcli login), "password" (restcli login, '
        'USER_PASSWORD_AUTH) or "client_credentials" (machine to machine, no login)',
        choices=("srp", "password", "client_credentials"),
    ),
    Param("username", "user to sign in as (default: --username, or the last one signed in)"),
    Param(
        "domain",
        "user pool domain for client_credentials, e.g. myapp.auth.us-east-1.amazoncognito.com",
        check=domain_problem,
    ),
    Param("scopes", 'OAuth scopes for client_credentials, space-separated, e.g. "items/read"'),
    Param(
        "token",
        "a token to send as is instead of signing in (a secret reference, e.g. env:CI_TOKEN); "
        "never cached. RESTCLI_TOKEN overrides it",
        secret=True,
    ),
)

USER_POOL = Declared(name="cognito", params=PARAMS)
