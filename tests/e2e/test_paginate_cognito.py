"""--paginate with a Cognito user-pool token (moto's user pool, the gateway's JWT
authorizer): a token that expires between pages is renewed and the walk goes on."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from tests.support.cognito_helpers import PASSWORD, claims, login_args

pytest_plugins = ["tests.support.cognito_fixtures"]


def test_a_token_expiring_between_pages_is_renewed(cli, stdin, cognito_config, pool,
                                                    jwt_gateway, moto):
    cognito_config(pool, f"{jwt_gateway.url}/jwt/id")
    stdin(PASSWORD + "\n")
    assert cli(*login_args()).code == 0
    # moto's tokens expire a whole number of seconds after they are issued: walking in a
    # later second than the sign-in, the renewed token outlives the first one.
    time.sleep(1.05 - time.time() % 1)
    jwt_gateway.clear()
    moto.clear()

    def clock() -> datetime:
        """Real time for page 1; from page 2 on, the moment the first token expires."""
        received = jwt_gateway.received
        if len(received) < 2:
            return datetime.now(UTC)
        return datetime.fromtimestamp(claims(received[0].header("authorization"))["exp"], UTC)

    jwt_gateway.clock = clock
    r = cli("get", "app", "/pages", "--paginate", "-f", "page")
    assert r.code == 0, r.stderr
    assert r.json() == [1, 2, 3]
    assert moto.count("InitiateAuth", "REFRESH_TOKEN_AUTH") == 1
    first, refused, renewed, last = [rec.header("authorization") for rec in jwt_gateway.received]
    assert first == refused != renewed == last
    assert [dict(rec.query).get("page") for rec in jwt_gateway.received] == [None, "2", "2", "3"]
